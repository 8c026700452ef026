import type { Logger } from '@vigil/core';
import { describe, expect, it, vi } from 'vitest';
import type { Closable } from '../start-demo.js';
import { closeAll } from './start.js';

describe('closeAll (vigil start stopping)', () => {
  it('goes on past a part whose close never ends or fails, in reverse start order, and says which', async () => {
    const error = vi.fn();
    const log = { error } as unknown as Logger;
    const closed: string[] = [];
    const part = (name: string, close: () => Promise<void>): [string, Closable] => [
      name,
      { close: () => (closed.push(name), close()) },
    ];
    await closeAll(
      [
        part('database pool', async () => undefined),
        part('gateway', () => new Promise(() => undefined)), // never settles, holds no handle
        part('api', () => Promise.reject(new Error('boom'))),
      ],
      log,
      50,
    );
    expect(closed).toEqual(['api', 'gateway', 'database pool']);
    expect(error.mock.calls.map(([fields, message]) => [fields.part, message])).toEqual([
      ['api', 'close failed'],
      ['gateway', 'close timed out; stopping without it'],
    ]);
  });
});
