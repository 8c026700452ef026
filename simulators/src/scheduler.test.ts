import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '@vigil/core';
import { createScheduler } from './scheduler.js';

describe('scheduler', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('runs tasks in due order (insertion order on ties) from one timer, and skips cancelled ones', async () => {
    const scheduler = createScheduler(systemClock, (err) => {
      throw err;
    });
    const ran: string[] = [];
    scheduler.at(300, () => ran.push('c'));
    scheduler.at(100, () => ran.push('a1'));
    scheduler.at(100, () => ran.push('a2'));
    const cancel = scheduler.at(200, () => ran.push('cancelled'));
    scheduler.at(200, () => ran.push('b'));
    cancel();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ran).toEqual(['a1', 'a2', 'b', 'c']);
    scheduler.close();
  });

  it('repeats without drift, skips ticks missed by a stall, and stops when cancelled', async () => {
    const scheduler = createScheduler(systemClock, () => undefined);
    const dues: number[] = [];
    const stop = scheduler.every(50, 100, (due) => dues.push(due));
    await vi.advanceTimersByTimeAsync(360);
    expect(dues).toEqual([50, 150, 250, 350]);
    vi.setSystemTime(Date.now() + 1000); // the event loop was blocked for a second
    await vi.advanceTimersByTimeAsync(100);
    expect(dues.length).toBe(6);
    stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dues.length).toBe(6);
    scheduler.close();
  });

  it('a failing task is reported and does not stop the others', async () => {
    const errors: unknown[] = [];
    const scheduler = createScheduler(systemClock, (err) => errors.push(err));
    const ran: number[] = [];
    scheduler.at(10, () => {
      throw new Error('boom');
    });
    scheduler.at(10, () => ran.push(1));
    await vi.advanceTimersByTimeAsync(20);
    expect(ran).toEqual([1]);
    expect(errors).toHaveLength(1);
    scheduler.close();
  });
});
