import { describe, expect, it } from 'vitest';
import { bedExitNightRule } from './bed-exit-night.js';
import { context, event, reading, run, summary } from './test-kit.js';

const MIN = 60_000;
const atRisk = context({ kind: 'bedmat', resident: { fallRisk: 'at-risk' } });
const highRisk = context({ kind: 'bedmat', resident: { fallRisk: 'high' } });
const noRisk = context({ kind: 'bedmat', resident: { fallRisk: 'none' } });
const t = (iso: string) => Date.parse(iso);
const RAISE = 'raise high resident:r1';
const CLEAR = 'clear high resident:r1';

describe('bed exit at night rule', () => {
  it.each([
    // exit (UTC; Berlin is UTC+1 in November), minutes out judged by a later sample, expected
    ['out 10 min 1 s at 23:00', '2026-11-23T22:00:00Z', 10 * MIN + 1000, [RAISE]],
    ['out exactly 10 min', '2026-11-23T22:00:00Z', 10 * MIN, []],
    ['left at 05:55, out past 06:00', '2026-11-24T04:55:00Z', 15 * MIN, [RAISE]],
    ['left at 21:59 (before the night)', '2026-11-23T20:59:00Z', 60 * MIN, []],
    ['left at 06:00 (after the night)', '2026-11-24T05:00:00Z', 60 * MIN, []],
    ['left at 00:30, across midnight', '2026-11-23T23:30:00Z', 11 * MIN, [RAISE]],
    ['left at 05:30 CET on the autumn DST Sunday', '2026-10-25T04:30:00Z', 11 * MIN, [RAISE]],
    ['left at 06:30 CEST on the spring DST Sunday', '2026-03-29T04:30:00Z', 11 * MIN, []],
  ])('%s', (_name, iso, outMs, expected) => {
    const exit = t(iso);
    const intents = run(bedExitNightRule, [
      [reading({ ts: exit - MIN, occupied: true }), atRisk],
      [reading({ ts: exit, occupied: false }), atRisk],
      [reading({ ts: exit + outMs, occupied: false }), atRisk],
    ]);
    expect(summary(intents)).toEqual([CLEAR, ...expected]);
  });

  it('the wall clock raises when the mat falls silent two expected intervals (2 × 10 s) past the limit; back in bed clears', () => {
    const exit = t('2026-11-24T01:00:00Z');
    const state = bedExitNightRule.initialState();
    expect(summary(run(bedExitNightRule, [[event('bed_exit', exit), atRisk]], state))).toEqual([]);
    expect(bedExitNightRule.tick!(exit + 10 * MIN + 20_000, state)).toEqual([]);
    const raised = bedExitNightRule.tick!(exit + 10 * MIN + 20_001, state);
    expect(raised).toMatchObject([
      {
        action: 'raise',
        device: 'd1',
        occurredAt: exit + 10 * MIN,
        detail: 'out of bed at night for more than 10 min',
      },
    ]);
    expect(bedExitNightRule.tick!(exit + 20 * MIN, state)).toEqual([]);
    expect(summary(run(bedExitNightRule, [[event('bed_enter', exit + 25 * MIN), atRisk]], state))).toEqual([CLEAR]);
  });

  it('a resident at high fall risk raises once the bed stays empty more than 15 s; one without fall risk never', () => {
    const exit = t('2026-11-24T01:00:00Z');
    expect(run(bedExitNightRule, [[event('bed_exit', exit), highRisk]])).toEqual([]);
    const high = run(bedExitNightRule, [
      [event('bed_exit', exit), highRisk],
      [reading({ ts: exit + 15_000, occupied: false }), highRisk],
      [reading({ ts: exit + 15_001, occupied: false }), highRisk],
    ]);
    expect(high).toMatchObject([
      {
        action: 'raise',
        priority: 'high',
        occurredAt: exit + 15_000,
        detail: 'resident at high fall risk left the bed at night',
      },
    ]);
    expect(
      run(bedExitNightRule, [
        [event('bed_exit', exit), noRisk],
        [event('bed_exit', exit + 60 * MIN), noRisk],
      ]),
    ).toEqual([]);
  });

  it('a restless sleeper at high fall risk, the mat empty for one sample, raises nothing, judged by reading or tick', () => {
    const turn = t('2026-11-24T01:00:00Z');
    const state = bedExitNightRule.initialState();
    const intents = run(
      bedExitNightRule,
      [
        [reading({ ts: turn - 10_000, occupied: true }), highRisk],
        [reading({ ts: turn, occupied: false }), highRisk],
      ],
      state,
    );
    // The next sample may come one expected interval later and a batching mat hold it one more: the tick waits.
    expect(bedExitNightRule.tick!(turn + 35_000, state)).toEqual([]);
    intents.push(...run(bedExitNightRule, [[reading({ ts: turn + 10_000, occupied: true }), highRisk]], state));
    intents.push(...bedExitNightRule.tick!(turn + 60_000, state));
    expect(summary(intents)).toEqual(['clear high resident:r1']);
    run(bedExitNightRule, [[reading({ ts: turn + 70_000, occupied: false }), highRisk]], state);
    expect(summary(bedExitNightRule.tick!(turn + 105_001, state))).toEqual([RAISE]);
  });

  it('confirmMs 0 raises on the first empty reading', () => {
    const instant = context({
      kind: 'bedmat',
      resident: { fallRisk: 'high' },
      overrides: { bedExitNight: { confirmMs: 0 } },
    });
    const turn = t('2026-11-24T01:00:00Z');
    const intents = run(bedExitNightRule, [
      [reading({ ts: turn - 10_000, occupied: true }), instant],
      [reading({ ts: turn, occupied: false }), instant],
    ]);
    expect(intents.at(-1)).toMatchObject({ action: 'raise', occurredAt: turn });
  });

  it('a reading shows an exit only after the bed was seen occupied; late changes are ignored', () => {
    const exit = t('2026-11-24T01:00:00Z');
    expect(
      run(bedExitNightRule, [
        [reading({ ts: exit, occupied: false }), atRisk],
        [reading({ ts: exit + 30 * MIN, occupied: false }), atRisk],
      ]),
    ).toEqual([]);
    const intents = run(bedExitNightRule, [
      [reading({ ts: exit - MIN, occupied: true }), atRisk],
      [reading({ ts: exit, occupied: false }), atRisk],
      [reading({ ts: exit - 30_000, occupied: true }), atRisk],
      [reading({ ts: exit + 11 * MIN, occupied: false }), atRisk],
    ]);
    expect(summary(intents)).toEqual([CLEAR, RAISE]);
  });

  it('the delay is a resident override and the night a facility override', () => {
    const quick = context({
      kind: 'bedmat',
      resident: { fallRisk: 'at-risk' },
      overrides: { bedExitNight: { afterMs: 2 * MIN } },
    });
    const exit = t('2026-11-24T01:00:00Z');
    const state = bedExitNightRule.initialState();
    run(bedExitNightRule, [[event('bed_exit', exit), quick]], state);
    expect(summary(bedExitNightRule.tick!(exit + 2 * MIN + 20_001, state))).toEqual([RAISE]);
    const lateNight = context({
      kind: 'bedmat',
      resident: { fallRisk: 'high' },
      overrides: { night: { start: '23:00', end: '05:00' } },
    });
    expect(run(bedExitNightRule, [[event('bed_exit', t('2026-11-23T21:30:00Z')), lateNight]])).toEqual([]);
  });
});
