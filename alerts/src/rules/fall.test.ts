import { describe, expect, it } from 'vitest';
import { fallRule } from './fall.js';
import { context, event, reading, run, summary, T0 } from './test-kit.js';

describe('fall rule', () => {
  const wristband = context({ kind: 'wristband' });

  it.each([
    [0.7, ['raise critical resident:r1']],
    [0.69, []],
    [0.93, ['raise critical resident:r1']],
    [undefined, ['raise critical resident:r1']],
  ])('confidence %s → %j', (confidence, expected) => {
    const extra = confidence === undefined ? {} : { confidence };
    expect(summary(run(fallRule, [[event('fall', T0, extra), wristband]]))).toEqual(expected);
  });

  it('carries the ids, the device time and a short detail', () => {
    const [intent] = run(fallRule, [[event('fall', T0 - 5000, { confidence: 0.93 }), wristband]]);
    expect(intent).toEqual({
      action: 'raise',
      rule: 'fall',
      subject: 'resident:r1',
      priority: 'critical',
      detail: 'fall detected (confidence 0.93)',
      resident: 'r1',
      device: 'd1',
      location: 'room1',
      occurredAt: T0 - 5000,
    });
  });

  it('uses the facility or resident threshold', () => {
    const strict = context({ kind: 'wristband', overrides: { fall: { minConfidence: 0.9 } } });
    expect(run(fallRule, [[event('fall', T0, { confidence: 0.8 }), strict]])).toEqual([]);
    const off = context({ kind: 'wristband', overrides: { fall: { enabled: false } } });
    expect(run(fallRule, [[event('fall', T0, { confidence: 1 }), off]])).toEqual([]);
  });

  it('an unassigned wristband raises for the device; other events and kinds do nothing', () => {
    const loose = context({ kind: 'wristband', resident: null });
    expect(summary(run(fallRule, [[event('fall', T0), loose]]))).toEqual(['raise critical device:d1']);
    expect(run(fallRule, [[event('sos', T0), wristband]])).toEqual([]);
    expect(run(fallRule, [[event('fall', T0), context({ kind: 'bedmat' })]])).toEqual([]);
  });

  describe('multi-sensor confirmation (device time)', () => {
    const band = context({ kind: 'wristband', device: { id: 'wb1' } });
    const mat = context({ kind: 'bedmat', device: { id: 'bm1' } });
    const pir = context({ kind: 'pir', resident: null, device: { id: 'pir1' } });
    const otherRoom = context({
      kind: 'pir',
      resident: null,
      device: { id: 'pir2' },
      location: { id: 'room2', kind: 'room' },
    });
    /** The bed empty and the room quiet since `since` (device time), then a fall at T0. */
    const emptyRoomThenFall = (since: number) => {
      const state = fallRule.initialState();
      run(
        fallRule,
        [
          [reading({ ts: since, occupied: false }), mat],
          [reading({ ts: since, motion: 0 }), pir],
          [event('fall', T0), band],
        ],
        state,
      );
      return state;
    };
    const lines = (intents: ReturnType<typeof run>) => intents.map((i) => `${i.action} ${i.priority} ${i.detail}`);

    it('bed empty and no motion for 2 min after the fall: the detail says why', () => {
      const state = fallRule.initialState();
      run(
        fallRule,
        [
          [reading({ ts: T0 - 600_000, occupied: false }), mat],
          [reading({ ts: T0 - 1_000, motion: 2 }), pir],
        ],
        state,
      );
      expect(lines(run(fallRule, [[event('fall', T0, { confidence: 0.9 }), band]], state))).toEqual([
        'raise critical fall detected (confidence 0.90)',
      ]);
      // Other rooms and not-yet-2-min say nothing; then the room's sensor, silent since, confirms it (once).
      const later = run(
        fallRule,
        [
          [reading({ ts: T0 + 60_000, motion: 0 }), pir],
          [reading({ ts: T0 + 130_000, motion: 5 }), otherRoom],
          [reading({ ts: T0 + 120_000, motion: 0 }), pir],
          [reading({ ts: T0 + 125_000, hr: 80 }), band],
        ],
        state,
      );
      expect(later).toMatchObject([
        {
          action: 'update',
          priority: 'critical',
          subject: 'resident:r1',
          detail: 'fall detected (confidence 0.90) + bed empty + no motion 2 min',
          occurredAt: T0 + 120_000,
        },
      ]);
    });

    it('movement and the resident back in bed lower it to high, never clear it', () => {
      const state = emptyRoomThenFall(T0 - 600_000);
      expect(run(fallRule, [[reading({ ts: T0 + 30_000, motion: 4 }), pir]], state)).toEqual([]); // moving, not in bed
      expect(lines(run(fallRule, [[reading({ ts: T0 + 90_000, occupied: true }), mat]], state))).toEqual([
        'update high fall detected, then movement and back in bed',
      ]);
      expect(run(fallRule, [[reading({ ts: T0 + 400_000, occupied: true, motion: 1 }), mat]], state)).toEqual([]);
    });

    it('no bed mat or no motion sensor: neither confirmed nor lowered; a fall older than watchMs is let go', () => {
      const bandOnly = fallRule.initialState();
      run(fallRule, [[event('fall', T0), band]], bandOnly);
      expect(run(fallRule, [[reading({ ts: T0 + 300_000, hr: 70 }), band]], bandOnly)).toEqual([]);

      const stale = emptyRoomThenFall(T0 - 1);
      expect(run(fallRule, [[reading({ ts: T0 + 1_800_001, motion: 0 }), pir]], stale)).toEqual([]);
      expect(stale.falls.size).toBe(0);
    });

    it('motion inside the window, even in a late batch, means no confirmation', () => {
      const state = emptyRoomThenFall(T0 - 5_000);
      // The sensor's batch arrives late: motion 1 min after the fall, then quiet.
      expect(
        run(
          fallRule,
          [
            [reading({ ts: T0 + 60_000, motion: 3 }), pir],
            [reading({ ts: T0 + 180_000, motion: 0 }), pir],
          ],
          state,
        ),
      ).toEqual([]);
    });
  });
});
