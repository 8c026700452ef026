import { describe, expect, it } from 'vitest';
import { bandNotWornRule } from './band-not-worn.js';
import { lowBatteryRule } from './low-battery.js';
import { context, event, reading, run, status, summary, T0 } from './test-kit.js';

const button = context({ kind: 'button' });
const smoke = context({ kind: 'smoke', resident: null });
const wristband = context({ kind: 'wristband' });
const MIN = 60_000;

describe('low battery rule', () => {
  it.each([
    [15, []], // not low, not yet recharged: between the thresholds nothing changes
    [14.9, ['raise warning device:d1']],
  ])('battery %s %%', (pct, expected) => {
    expect(summary(run(lowBatteryRule, [[status({ online: true, battery: pct }), button]]))).toEqual(expected);
  });

  it('raises once, does not flap between 15 and 20 %, clears at 20 %; late values are ignored', () => {
    const intents = run(lowBatteryRule, [
      [reading({ ts: T0, battery: 14 }), smoke],
      [reading({ ts: T0 + 1000, battery: 13 }), smoke],
      [reading({ ts: T0 + 2000, battery: 16 }), smoke],
      [reading({ ts: T0 + 3000, battery: 14 }), smoke],
      [reading({ ts: T0 + 500, battery: 90 }), smoke],
      [reading({ ts: T0 + 4000, battery: 19.9 }), smoke],
      [reading({ ts: T0 + 5000, battery: 20 }), smoke],
    ]);
    expect(summary(intents)).toEqual(['raise high device:d1', 'clear high device:d1']);
    expect(intents[0]!.detail).toBe('battery below 15 %');
  });

  it('thresholds are settings', () => {
    const early = context({ kind: 'button', overrides: { lowBattery: { belowPct: 30 } } });
    expect(summary(run(lowBatteryRule, [[status({ online: true, battery: 25 }), early]]))).toEqual([
      'raise warning device:d1',
    ]);
  });
});

describe('band not worn rule', () => {
  it.each([
    ['off for exactly 30 min', 30 * MIN, ['raise warning device:d1']],
    ['off for 29 min 59 s', 30 * MIN - 1000, []],
  ])('%s', (_name, off, expected) => {
    const intents = run(bandNotWornRule, [
      [reading({ ts: T0, worn: false }), wristband],
      [reading({ ts: T0 + off, worn: false }), wristband],
    ]);
    expect(summary(intents)).toEqual(expected);
  });

  it('a removed event counts like worn:false: a shower raises nothing; the wall clock covers a silent band', () => {
    const state = bandNotWornRule.initialState();
    expect(run(bandNotWornRule, [[event('removed', T0), wristband]], state)).toEqual([]);
    expect(
      summary(run(bandNotWornRule, [[reading({ ts: T0 + 12 * MIN, worn: true, hr: 70 }), wristband]], state)),
    ).toEqual(['clear warning device:d1']);
    expect(bandNotWornRule.tick!(T0 + 40 * MIN, state)).toEqual([]);
    run(bandNotWornRule, [[event('removed', T0 + 50 * MIN), wristband]], state);
    expect(bandNotWornRule.tick!(T0 + 79 * MIN, state)).toEqual([]);
    expect(bandNotWornRule.tick!(T0 + 80 * MIN, state)).toMatchObject([
      { occurredAt: T0 + 80 * MIN, detail: 'wristband not worn for 30 min', resident: 'r1' },
    ]);
    expect(bandNotWornRule.tick!(T0 + 90 * MIN, state)).toEqual([]);
  });

  it('a late worn sample does not reverse a newer one; the delay is a resident override', () => {
    const intents = run(bandNotWornRule, [
      [reading({ ts: T0, worn: false }), wristband],
      [reading({ ts: T0 - MIN, worn: true }), wristband],
      [reading({ ts: T0 + 30 * MIN, worn: false }), wristband],
    ]);
    expect(summary(intents)).toEqual(['raise warning device:d1']);
    const quick = context({ kind: 'wristband', overrides: { bandNotWorn: { afterMs: 5 * MIN } } });
    const state = bandNotWornRule.initialState();
    run(bandNotWornRule, [[reading({ ts: T0, worn: false }), quick]], state);
    expect(summary(bandNotWornRule.tick!(T0 + 5 * MIN, state))).toEqual(['raise warning device:d1']);
  });
});
