import { DEFAULT_EXPECTED_INTERVAL_S } from '@vigil/store';
import type { DeviceKind } from '@vigil/protocol';
import { createRng, round } from '../random.js';
import { electrical, gas, smoke } from './environment.js';
import { button, door, pir } from './presence.js';
import type { DeviceModel, DeviceState } from './types.js';
import { bedmat, inBedAt, wristband } from './wearables.js';

export * from './types.js';

export const MODELS: Record<DeviceKind, DeviceModel> = { wristband, bedmat, smoke, gas, electrical, door, pir, button };

/**
 * Each kind reports at the interval the registry expects of it (core's DEFAULT_EXPECTED_INTERVAL_S), so a
 * simulated fleet never looks silent to the device-offline rule.
 */
export function readingIntervalMs(kind: DeviceKind): number {
  return DEFAULT_EXPECTED_INTERVAL_S[kind] * 1000;
}

/** Battery drain in % per hour: a wristband lasts about ten days, a smoke detector years. */
const DRAIN_PER_HOUR: Record<DeviceKind, number> = {
  wristband: 0.4,
  bedmat: 0,
  smoke: 0.002,
  gas: 0.003,
  electrical: 0,
  door: 0.004,
  pir: 0.005,
  button: 0.002,
};

const FIRMWARE: Record<DeviceKind, string> = {
  wristband: '2.3.1',
  bedmat: '1.8.0',
  smoke: '4.1.2',
  gas: '3.0.7',
  electrical: '1.2.4',
  door: '1.4.2',
  pir: '1.4.2',
  button: '1.1.0',
};

/**
 * A device's starting state, drawn from a generator seeded by its id (and the fleet's seed), so the same
 * device behaves the same way every run. The body is drawn from the resident's id when there is one, so a
 * resident's wristband and bed mat agree on their heart rate.
 */
export function initialState(
  device: { id: string; kind: DeviceKind; resident?: string },
  options: { timezone: string; seed?: string | number; ts: number },
): DeviceState {
  const rng = createRng(`${options.seed ?? ''}/${device.id}`);
  const b = createRng(`${options.seed ?? ''}/resident/${device.resident ?? device.id}`);
  const body = {
    hr: round(b.between(60, 84)),
    spo2: round(b.between(95, 98.5)),
    rr: round(b.between(12, 17)),
    skinTemp: round(b.between(32.5, 34.5), 1),
    sbp: round(b.between(112, 148)),
    dbp: round(b.between(66, 88)),
    bedtime: b.between(20.75, 21.75),
    wakeTime: b.between(6.25, 7.5),
    naps: b.chance(0.4),
  };
  const model = MODELS[device.kind];
  const state: DeviceState = {
    kind: device.kind,
    rng,
    timezone: options.timezone,
    battery: model.batteryPowered ? round(rng.between(55, 100)) : null,
    drainPerHour: DRAIN_PER_HOUR[device.kind],
    fw: FIRMWARE[device.kind],
    body,
    hr: body.hr,
    worn: true,
    occupied: false,
    doorOpen: false,
  };
  // Start in the right place so the first reading does not announce a bed_enter that never happened.
  state.occupied = device.kind === 'bedmat' && inBedAt(state, options.ts);
  return state;
}

/** Drains the battery for the device time that passed; batteries never go flat in a demo (1 % floor). */
export function drainBattery(state: DeviceState, elapsedMs: number): void {
  if (state.battery === null || elapsedMs <= 0) return;
  state.battery = Math.max(1, state.battery - (state.drainPerHour * elapsedMs) / 3_600_000);
}
