import { describe, expect, it } from 'vitest';
import { context, event, reading, run, summary } from './test-kit.js';
import { wanderingRule } from './wandering.js';

const exitDoor = context({ kind: 'door', resident: null, location: { id: 'main-exit', kind: 'exit' } });
const roomDoor = context({ kind: 'door', resident: { wanderRisk: true }, location: { id: 'room1', kind: 'room' } });
const calmRoomDoor = context({
  kind: 'door',
  resident: { wanderRisk: false },
  location: { id: 'room1', kind: 'room' },
});
const t = (iso: string) => Date.parse(iso);

describe('wandering rule', () => {
  it.each([
    ['exit door 23:00 CET', exitDoor, '2026-11-23T22:00:00Z', ['raise high location:main-exit']],
    ['exit door 21:59 CET', exitDoor, '2026-11-23T20:59:00Z', []],
    ['exit door 22:00 CET', exitDoor, '2026-11-23T21:00:00Z', ['raise high location:main-exit']],
    ['exit door 06:00 CET', exitDoor, '2026-11-24T05:00:00Z', []],
    ['exit door 05:30 CET on the autumn DST day', exitDoor, '2026-10-25T04:30:00Z', ['raise high location:main-exit']],
    ['exit door 06:30 CEST on the spring DST day', exitDoor, '2026-03-29T04:30:00Z', []],
    ['wander-risk room door at 02:00', roomDoor, '2026-11-24T01:00:00Z', ['raise high resident:r1']],
    ['room door of a resident without wander risk', calmRoomDoor, '2026-11-24T01:00:00Z', []],
  ])('%s', (_name, ctx, iso, expected) => {
    expect(summary(run(wanderingRule, [[event('open', t(iso)), ctx]]))).toEqual(expected);
  });

  it('readings raise once per opening; a close re-arms; late values are ignored', () => {
    const night = t('2026-11-24T01:00:00Z');
    const intents = run(wanderingRule, [
      [reading({ ts: night, open: false }), exitDoor],
      [reading({ ts: night + 10_000, open: true }), exitDoor],
      [reading({ ts: night + 20_000, open: true }), exitDoor],
      [reading({ ts: night + 5_000, open: false }), exitDoor],
      [reading({ ts: night + 30_000, open: true }), exitDoor],
      [event('close', night + 40_000), exitDoor],
      [event('open', night + 50_000), exitDoor],
    ]);
    expect(summary(intents)).toEqual(['raise high location:main-exit', 'raise high location:main-exit']);
    expect(intents.map((i) => i.occurredAt)).toEqual([night + 10_000, night + 50_000]);
    expect(intents[0]!.detail).toBe('exit door opened at night');
  });

  it('the night window is a facility setting, judged in the facility zone', () => {
    const early = context({
      kind: 'door',
      resident: null,
      location: { id: 'main-exit', kind: 'exit' },
      timezone: 'America/New_York',
      overrides: { night: { start: '20:00', end: '07:00' } },
    });
    expect(summary(run(wanderingRule, [[event('open', t('2026-11-24T01:30:00Z')), early]]))).toEqual([
      'raise high location:main-exit',
    ]);
    expect(run(wanderingRule, [[event('open', t('2026-11-24T12:30:00Z')), early]])).toEqual([]);
  });

  it('an exit door soon after a bed exit names the resident and says why; critical for a resident at wander risk', () => {
    const night = t('2026-11-24T01:00:00Z');
    const mat = (id: string, resident: string, wanderRisk: boolean) =>
      context({ kind: 'bedmat', device: { id }, resident: { id: resident, wanderRisk } });
    const state = wanderingRule.initialState();
    run(
      wanderingRule,
      [
        [reading({ ts: night - 3_600_000, occupied: true }), mat('bm1', 'r1', true)],
        [reading({ ts: night - 3_600_000, occupied: true }), mat('bm2', 'r2', false)],
        [event('bed_exit', night - 700_000), mat('bm1', 'r1', true)], // 11 min 40 s before: too long ago
        [reading({ ts: night - 300_000, occupied: false }), mat('bm2', 'r2', false)],
      ],
      state,
    );
    const [first] = run(wanderingRule, [[event('open', night), exitDoor]], state);
    expect(first).toMatchObject({
      priority: 'high',
      resident: 'r2',
      subject: 'location:main-exit',
      detail: 'bed exit + exit door at night within 10 min',
    });
    run(wanderingRule, [[event('close', night + 10_000), exitDoor]], state);
    // r1 back in bed and out again, then the door: r1, at wander risk, is the one most recently out.
    run(wanderingRule, [[reading({ ts: night + 20_000, occupied: true }), mat('bm1', 'r1', true)]], state);
    run(wanderingRule, [[reading({ ts: night + 30_000, occupied: false }), mat('bm1', 'r1', true)]], state);
    const [second] = run(wanderingRule, [[event('open', night + 60_000), exitDoor]], state);
    expect(second).toMatchObject({ priority: 'critical', resident: 'r1' });
    // Nobody out of bed: the plain exit-door alert.
    run(wanderingRule, [[event('close', night + 70_000), exitDoor]], state);
    run(wanderingRule, [[reading({ ts: night + 80_000, occupied: true }), mat('bm1', 'r1', true)]], state);
    run(wanderingRule, [[reading({ ts: night + 80_000, occupied: true }), mat('bm2', 'r2', false)]], state);
    expect(run(wanderingRule, [[event('open', night + 90_000), exitDoor]], state)).toMatchObject([
      { priority: 'high', resident: null, detail: 'exit door opened at night' },
    ]);
  });
});
