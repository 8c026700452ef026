import { localHour } from '@vigil/protocol';
import { clamp, round } from '../random.js';
import type { DeviceModel, DeviceState } from './types.js';

/** 0–1: how busy the kitchen (and the building's power) is around breakfast, lunch and dinner. */
function mealActivity(state: DeviceState, ts: number): number {
  const h = localHour(ts, state.timezone);
  return Math.max(0, ...[7.5, 12.25, 18].map((meal) => 1 - Math.abs(h - meal) / 0.75));
}

/** Room temperature with a gentle daily swing (warmest mid-afternoon). */
function roomTemp(state: DeviceState, ts: number): number {
  const h = localHour(ts, state.timezone);
  return 21.5 + 1.2 * Math.sin(((h - 9) / 24) * 2 * Math.PI);
}

export const smoke: DeviceModel = {
  batteryPowered: true,
  reading(state, ts) {
    const { rng } = state;
    return {
      fields: {
        smoke: round(clamp(rng.normal(0.05, 0.03), 0, 0.5), 2),
        temp: round(roomTemp(state, ts) + rng.normal(0, 0.15), 1),
        battery: round(state.battery ?? 0),
      },
    };
  },
};

export const gas: DeviceModel = {
  batteryPowered: true,
  reading(state, ts) {
    const { rng } = state;
    // Cooking raises CO a little; a well-ventilated kitchen stays far below the 50 ppm alarm level.
    const cooking = mealActivity(state, ts);
    return {
      fields: {
        lel: round(clamp(rng.normal(0.3 + cooking, 0.2), 0, 3), 1),
        co: round(clamp(rng.normal(2 + 8 * cooking, 1), 0, 20)),
        battery: round(state.battery ?? 0),
      },
    };
  },
};

export const electrical: DeviceModel = {
  batteryPowered: false,
  reading(state, ts) {
    const { rng } = state;
    const h = localHour(ts, state.timezone);
    const load = 4 + (h >= 7 && h < 22 ? 6 : 0) + 14 * mealActivity(state, ts) + rng.normal(0, 0.8);
    const currentA = clamp(load, 0.5, 60);
    return {
      fields: {
        residualMa: round(clamp(rng.normal(4, 1.5), 0, 30), 1),
        cableTemp: round(24 + currentA * 0.45 + rng.normal(0, 0.3), 1),
        currentA: round(currentA, 1),
      },
    };
  },
};
