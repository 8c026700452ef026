import { describe, expect, it } from 'vitest';
import { CANCELLED, WriteLane } from './write-lane.js';

/** A promise settled from outside, standing in for a database round trip. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('WriteLane', () => {
  it('prepares every input at once but runs the writes one at a time, in submission order', async () => {
    const lane = new WriteLane();
    const started: number[] = [];
    const writes = [deferred(), deferred(), deferred()];
    const results = writes.map((write, i) =>
      lane.submit(Promise.resolve(i), async (input) => {
        started.push(input);
        await write.promise;
        return input;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0]);
    writes[1]!.resolve(); // finishing out of turn changes nothing: 1 has not started
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0]);
    writes[0]!.resolve();
    writes[2]!.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2]);
    expect(started).toEqual([0, 1, 2]);
  });

  it('cancels the writes queued behind a failed one; writes submitted later run', async () => {
    const lane = new WriteLane();
    const ran: string[] = [];
    const failure = new Error('connection lost');
    const first = lane.submit(Promise.resolve('a'), async () => {
      ran.push('a');
      throw failure;
    });
    const second = lane.submit(Promise.resolve('b'), async () => void ran.push('b'));
    await expect(first).rejects.toBe(failure);
    await expect(second).rejects.toBe(CANCELLED);
    await lane.idle();
    await lane.submit(Promise.resolve('c'), async () => void ran.push('c'));
    expect(ran).toEqual(['a', 'c']);
  });

  it('treats a failed preparation as a failed write', async () => {
    const lane = new WriteLane();
    const failure = new Error('registry unreachable');
    const first = lane.submit(Promise.reject(failure), async () => 'never');
    const second = lane.submit(Promise.resolve(1), async () => 'never either');
    await expect(first).rejects.toBe(failure);
    await expect(second).rejects.toBe(CANCELLED);
  });
});
