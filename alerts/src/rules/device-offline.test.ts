import { describe, expect, it } from 'vitest';
import { deviceOfflineRule } from './device-offline.js';
import { context, reading, run, status, summary, T0 } from './test-kit.js';
import type { ContextOptions } from './test-kit.js';

const at = (options: ContextOptions, now: number) => context({ ...options, now });
const wristband: ContextOptions = { kind: 'wristband', device: { expectedIntervalS: 10 } };

describe('device offline rule', () => {
  it.each([
    ['silent 30 s (3 × 10 s) is still online', 30_000, []],
    ['silent 30.001 s is offline', 30_001, ['raise warning device:d1']],
  ])('%s', (_name, silence, expected) => {
    const state = deviceOfflineRule.initialState();
    run(deviceOfflineRule, [[reading({ ts: T0, hr: 70 }), at(wristband, T0)]], state);
    expect(summary(deviceOfflineRule.tick!(T0 + silence, state))).toEqual(expected);
  });

  it('silence is judged on the wall clock, raised once, and the next message clears it', () => {
    const state = deviceOfflineRule.initialState();
    // The sample's own time is an hour old (late delivery): the device was still heard from now.
    run(deviceOfflineRule, [[reading({ ts: T0 - 3_600_000, hr: 70 }), at(wristband, T0)]], state);
    expect(deviceOfflineRule.tick!(T0 + 20_000, state)).toEqual([]);
    const raised = deviceOfflineRule.tick!(T0 + 31_000, state);
    expect(raised).toMatchObject([{ occurredAt: T0 + 30_000, detail: 'no message for more than 30 s', device: 'd1' }]);
    expect(deviceOfflineRule.tick!(T0 + 60_000, state)).toEqual([]);
    const back = run(deviceOfflineRule, [[status({ online: true, battery: 80 }), at(wristband, T0 + 90_000)]], state);
    expect(summary(back)).toEqual(['clear warning device:d1']);
    expect(deviceOfflineRule.tick!(T0 + 100_000, state)).toEqual([]);
  });

  it('a Last Will raises at once; the device reconnecting clears it', () => {
    const state = deviceOfflineRule.initialState();
    const will = run(deviceOfflineRule, [[status({ online: false }, true), at(wristband, T0)]], state);
    expect(will).toMatchObject([
      { action: 'raise', priority: 'warning', detail: 'device offline (connection lost)', occurredAt: T0 },
    ]);
    expect(deviceOfflineRule.tick!(T0 + 60_000, state)).toEqual([]);
    expect(summary(run(deviceOfflineRule, [[status({ online: true }), at(wristband, T0 + 70_000)]], state))).toEqual([
      'clear warning device:d1',
    ]);
  });

  it.each([
    ['smoke detector', { kind: 'smoke', resident: null }, 'high'],
    ['gas detector', { kind: 'gas', resident: null }, 'high'],
    ['bed mat of a fully dependent resident', { kind: 'bedmat', resident: { careLevel: 'fully-dependent' } }, 'high'],
    ['bed mat of a semi-dependent resident', { kind: 'bedmat', resident: { careLevel: 'semi-dependent' } }, 'warning'],
    ['door sensor', { kind: 'door', resident: null }, 'warning'],
  ] as Array<[string, ContextOptions, string]>)('priority for a %s: %s', (_name, options, priority) => {
    const state = deviceOfflineRule.initialState();
    expect(run(deviceOfflineRule, [[status({ online: false }, true), at(options, T0)]], state)[0]!.priority).toBe(
      priority,
    );
  });

  it('priming covers devices silent since before a restart; the factor is a facility setting', () => {
    const state = deviceOfflineRule.initialState();
    deviceOfflineRule.prime!(
      at({ kind: 'smoke', device: { id: 'sm1', expectedIntervalS: 60 } }, T0),
      T0 - 3_600_000,
      state,
    );
    deviceOfflineRule.prime!(at({ kind: 'door', device: { id: 'dr1', expectedIntervalS: 60 } }, T0), null, state);
    expect(summary(deviceOfflineRule.tick!(T0, state))).toEqual(['raise high device:sm1']);
    expect(summary(deviceOfflineRule.tick!(T0 + 180_001, state))).toEqual(['raise warning device:dr1']);

    const patient = deviceOfflineRule.initialState();
    const lenient = { ...wristband, overrides: { deviceOffline: { silenceFactor: 10 } } };
    run(deviceOfflineRule, [[reading({ ts: T0, hr: 70 }), at(lenient, T0)]], patient);
    expect(deviceOfflineRule.tick!(T0 + 99_000, patient)).toEqual([]);
    expect(summary(deviceOfflineRule.tick!(T0 + 100_001, patient))).toEqual(['raise warning device:d1']);
  });
});
