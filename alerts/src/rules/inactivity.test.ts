import { describe, expect, it } from 'vitest';
import { inactivityRule } from './inactivity.js';
import { context, event, reading, run, status, summary } from './test-kit.js';
import type { InactivityState } from './inactivity.js';

const HOUR = 3_600_000;
const home = context({ kind: 'pir', location: { id: 'home7', kind: 'dwelling' } });
const room = context({ kind: 'pir', location: { id: 'room1', kind: 'room' } });
const t = (iso: string) => Date.parse(iso);

/** The sensor's heartbeat status at `at`, received at once. */
const heard = (state: InactivityState, at: number, ctx = home) =>
  run(inactivityRule, [[status({ online: true, ts: at }), { ...ctx, now: at }]], state);

describe('inactivity rule', () => {
  it.each([
    // last motion, wall clock at tick (Berlin = UTC+1 in November), expected
    ['12 h of silence by day', '2026-11-23T21:00:00Z', '2026-11-24T09:00:00Z', ['raise warning location:home7']],
    ['11 h 59 min', '2026-11-23T21:00:00Z', '2026-11-24T08:59:00Z', []],
    ['12 h reached at night waits for the morning', '2026-11-23T12:00:00Z', '2026-11-24T04:59:00Z', []],
    ['… and raises at 06:00 local', '2026-11-23T12:00:00Z', '2026-11-24T05:00:00Z', ['raise warning location:home7']],
  ])('%s', (_name, lastMotion, now, expected) => {
    const state = inactivityRule.initialState();
    run(inactivityRule, [[reading({ ts: t(lastMotion), motion: 3 }), home]], state);
    heard(state, t(now));
    expect(summary(inactivityRule.tick!(t(now), state))).toEqual(expected);
  });

  it('raises once, clears on motion, and the next silence raises again', () => {
    const state = inactivityRule.initialState();
    const start = t('2026-11-24T07:00:00Z');
    expect(summary(run(inactivityRule, [[event('motion', start), home]], state))).toEqual([
      'clear warning location:home7',
    ]);
    run(inactivityRule, [[reading({ ts: start + HOUR, motion: 0 }), home]], state);
    heard(state, start + 12 * HOUR);
    const raised = inactivityRule.tick!(start + 12 * HOUR, state);
    expect(raised).toMatchObject([
      { device: 'd1', occurredAt: start + 12 * HOUR, detail: 'no movement in the home for 12 h' },
    ]);
    heard(state, start + 13 * HOUR);
    expect(inactivityRule.tick!(start + 13 * HOUR, state)).toEqual([]);
    expect(summary(run(inactivityRule, [[reading({ ts: start + 13 * HOUR, motion: 1 }), home]], state))).toEqual([
      'clear warning location:home7',
    ]);
    heard(state, start + 14 * HOUR);
    expect(inactivityRule.tick!(start + 14 * HOUR, state)).toEqual([]);
  });

  it('a sensor that is silent itself raises nothing: its motion is unknown (device_offline alerts)', () => {
    const state = inactivityRule.initialState();
    const start = t('2026-11-24T07:00:00Z');
    run(inactivityRule, [[event('motion', start), { ...home, now: start }]], state);
    expect(inactivityRule.tick!(start + 13 * HOUR, state)).toEqual([]);
    // Its backlog arrives after the outage: no motion in it either, and now it is heard again.
    run(inactivityRule, [[reading({ ts: start + 12 * HOUR, motion: 0 }), { ...home, now: start + 13 * HOUR }]], state);
    expect(summary(inactivityRule.tick!(start + 13 * HOUR + 1000, state))).toEqual(['raise warning location:home7']);
  });

  it('primed from the last message time at start; only dwellings count; the window is a setting', () => {
    const state = inactivityRule.initialState();
    const lastSeen = t('2026-11-23T20:00:00Z');
    inactivityRule.prime!({ ...home, now: lastSeen + 14 * HOUR }, lastSeen, state);
    inactivityRule.prime!(room, lastSeen, state);
    heard(state, lastSeen + 14 * HOUR);
    expect(summary(inactivityRule.tick!(lastSeen + 14 * HOUR, state))).toEqual(['raise warning location:home7']);

    const short = context({
      kind: 'pir',
      location: { id: 'home8', kind: 'dwelling' },
      overrides: { inactivity: { silenceMs: 2 * HOUR } },
    });
    const other = inactivityRule.initialState();
    run(inactivityRule, [[event('motion', t('2026-11-24T09:00:00Z')), short]], other);
    heard(other, t('2026-11-24T11:00:00Z'), short);
    expect(summary(inactivityRule.tick!(t('2026-11-24T11:00:00Z'), other))).toEqual(['raise warning location:home8']);
  });
});
