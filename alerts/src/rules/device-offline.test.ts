import { describe, expect, it } from 'vitest';
import { deviceOfflineRule } from './device-offline.js';
import { context, reading, run, status, summary, T0 } from './test-kit.js';
import type { ContextOptions } from './test-kit.js';

const at = (options: ContextOptions, now: number) => context({ ...options, now });
// Alone: no connectivity grouping, so a device found down raises at once (the grouping is tested in connectivity.test.ts).
const alone = { connectivity: { enabled: false } };
const wristband: ContextOptions = { kind: 'wristband', device: { expectedIntervalS: 10 }, overrides: alone };

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

  it('a Last Will raises after the grace (30 s); the device reconnecting clears it', () => {
    const state = deviceOfflineRule.initialState();
    expect(run(deviceOfflineRule, [[status({ online: false }, true), at(wristband, T0)]], state)).toEqual([]);
    expect(deviceOfflineRule.tick!(T0 + 29_999, state)).toEqual([]);
    expect(deviceOfflineRule.tick!(T0 + 30_000, state)).toMatchObject([
      { action: 'raise', priority: 'warning', detail: 'device offline (connection lost)', occurredAt: T0 + 30_000 },
    ]);
    expect(deviceOfflineRule.tick!(T0 + 60_000, state)).toEqual([]);
    expect(summary(run(deviceOfflineRule, [[status({ online: true }), at(wristband, T0 + 70_000)]], state))).toEqual([
      'clear warning device:d1',
    ]);
  });

  it('a device back within the grace (a network blip, a gateway restart) raises nothing', () => {
    const state = deviceOfflineRule.initialState();
    run(deviceOfflineRule, [[reading({ ts: T0, hr: 70 }), at(wristband, T0)]], state);
    run(deviceOfflineRule, [[status({ online: false }, true), at(wristband, T0 + 1_000)]], state);
    run(deviceOfflineRule, [[status({ online: true }), at(wristband, T0 + 9_000)]], state);
    // Silent for its allowance (30 s) after the reconnect, not longer.
    for (let t = T0 + 1_000; t <= T0 + 39_000; t += 1_000) expect(deviceOfflineRule.tick!(t, state)).toEqual([]);
    const patient = { ...wristband, overrides: { ...alone, deviceOffline: { willGraceMs: 60_000 } } };
    run(deviceOfflineRule, [[status({ online: false }), at(patient, T0 + 50_000)]], state);
    expect(deviceOfflineRule.tick!(T0 + 109_999, state)).toEqual([]);
    expect(deviceOfflineRule.tick!(T0 + 110_000, state)).toMatchObject([{ detail: 'device reported going offline' }]);
  });

  it.each([
    ['smoke detector', { kind: 'smoke', resident: null }, 'high'],
    ['gas detector', { kind: 'gas', resident: null }, 'high'],
    ['bed mat of a fully dependent resident', { kind: 'bedmat', resident: { careLevel: 'fully-dependent' } }, 'high'],
    ['bed mat of a semi-dependent resident', { kind: 'bedmat', resident: { careLevel: 'semi-dependent' } }, 'warning'],
    ['door sensor', { kind: 'door', resident: null }, 'warning'],
  ] as Array<[string, ContextOptions, string]>)('priority for a %s: %s', (_name, options, priority) => {
    const state = deviceOfflineRule.initialState();
    run(deviceOfflineRule, [[status({ online: false }, true), at({ ...options, overrides: alone }, T0)]], state);
    expect(deviceOfflineRule.tick!(T0 + 30_000, state)[0]!.priority).toBe(priority);
  });

  it('priming covers devices silent since before a restart; the factor is a facility setting', () => {
    const state = deviceOfflineRule.initialState();
    const smoke = { kind: 'smoke' as const, device: { id: 'sm1', expectedIntervalS: 60 }, overrides: alone };
    deviceOfflineRule.prime!(at(smoke, T0), T0 - 3_600_000, state);
    const door = { kind: 'door' as const, device: { id: 'dr1', expectedIntervalS: 60 }, overrides: alone };
    deviceOfflineRule.prime!(at(door, T0), null, state);
    expect(summary(deviceOfflineRule.tick!(T0, state))).toEqual(['raise high device:sm1']);
    expect(summary(deviceOfflineRule.tick!(T0 + 180_001, state))).toEqual(['raise warning device:dr1']);

    const patient = deviceOfflineRule.initialState();
    const lenient = { ...wristband, overrides: { ...alone, deviceOffline: { silenceFactor: 10 } } };
    run(deviceOfflineRule, [[reading({ ts: T0, hr: 70 }), at(lenient, T0)]], patient);
    expect(deviceOfflineRule.tick!(T0 + 99_000, patient)).toEqual([]);
    expect(summary(deviceOfflineRule.tick!(T0 + 100_001, patient))).toEqual(['raise warning device:d1']);
  });
});
