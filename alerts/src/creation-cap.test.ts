import { describe, expect, it } from 'vitest';
import { CreationCap } from './creation-cap.js';
import type { AlertIntent } from './rules/types.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');

function intent(n: number, overrides: Partial<AlertIntent> = {}): AlertIntent {
  return {
    action: 'raise',
    rule: 'low_battery',
    subject: `device:d${n}`,
    priority: 'warning',
    detail: 'battery low',
    resident: null,
    device: `d${n}`,
    location: null,
    occurredAt: T0,
    ...overrides,
  };
}

const subjectsOf = (released: { intent: AlertIntent }[]) => released.map((r) => r.intent.subject);

describe('CreationCap', () => {
  it('admits perMinute new non-critical alerts a minute per facility, holds the rest, never a critical one', () => {
    const cap = new CreationCap({ perMinute: 3 });
    const admitted = [1, 2, 3, 4, 5].map((n) => cap.admit('f1', intent(n), T0 + n));
    expect(admitted).toEqual([true, true, true, false, false]);
    expect(cap.admit('f1', intent(6, { rule: 'fall', priority: 'critical' }), T0 + 6)).toBe(true);
    expect(cap.admit('f2', intent(7), T0 + 7)).toBe(true); // another facility has its own minute
    expect(cap.report('f1', T0 + 8)).toEqual({ action: 'raise', held: 2 });
    expect(cap.report('f1', T0 + 9)).toBeNull(); // unchanged: nothing to say
    expect(cap.release(T0 + 59_999)).toEqual([]);
    // A minute after the first creations there is room again: high before warning, then in order.
    cap.admit('f1', intent(8, { priority: 'high' }), T0 + 59_999);
    expect(subjectsOf(cap.release(T0 + 60_003))).toEqual(['device:d8', 'device:d4', 'device:d5']);
    expect(cap.report('f1', T0 + 60_004)).toEqual({ action: 'clear' });
    expect(cap.report('f1', T0 + 60_005)).toBeNull();
  });

  it('a held alert takes its later intents: updated, replaced, dropped when cleared, created at once when critical', () => {
    const cap = new CreationCap({ perMinute: 1 });
    cap.admit('f1', intent(1), T0);
    for (const n of [2, 3, 4]) expect(cap.admit('f1', intent(n), T0)).toBe(false);
    expect(cap.revise('f1', intent(2, { action: 'update', priority: 'high', detail: 'lower' }))).toBe(true);
    expect(cap.revise('f1', intent(3, { action: 'clear' }))).toBe(true);
    expect(cap.revise('f1', intent(4, { priority: 'critical' }))).toBe(false); // the engine creates it now
    expect(cap.revise('f1', intent(9, { action: 'clear' }))).toBe(false); // not held: the engine's to apply
    const released = cap.release(T0 + 60_000);
    expect(released).toMatchObject([{ facility: 'f1', intent: { subject: 'device:d2', priority: 'high' } }]);
  });

  it('refreshes the count at most every 30 s, and a cap of 0 is no cap', () => {
    const cap = new CreationCap({ perMinute: 1 });
    cap.admit('f1', intent(1), T0);
    cap.admit('f1', intent(2), T0);
    expect(cap.report('f1', T0)).toEqual({ action: 'raise', held: 1 });
    cap.admit('f1', intent(3), T0 + 1_000);
    expect(cap.report('f1', T0 + 29_999)).toBeNull();
    expect(cap.report('f1', T0 + 30_000)).toEqual({ action: 'raise', held: 2 });
    const off = new CreationCap({ perMinute: 0 });
    for (let n = 0; n < 100; n += 1) expect(off.admit('f1', intent(n), T0)).toBe(true);
  });
});
