import { localHour } from '@vigil/protocol';
import { clamp, round } from '../random.js';
import type { Step } from '../steps.js';
import type { DeviceModel, DeviceState } from './types.js';

/** Spontaneous activity happens only by day, well clear of the 22:00–06:00 night window the rules watch. */
function daytime(state: DeviceState, ts: number): boolean {
  const h = localHour(ts, state.timezone);
  return h >= 7 && h < 21;
}

export const door: DeviceModel = {
  batteryPowered: true,
  reading(state) {
    return { fields: { open: state.doorOpen, battery: round(state.battery ?? 0) } };
  },
  activity: {
    everyMs: 5 * 60 * 1000,
    steps(state, ts): Step[] {
      if (!daytime(state, ts) || !state.rng.chance(0.2)) return [];
      const closeAt = state.rng.int(8, 45) * 1000;
      return [
        { at: 0, do: 'patch', patch: { doorOpen: true } },
        { at: 0, do: 'event', type: 'open' },
        { at: closeAt, do: 'patch', patch: { doorOpen: false } },
        { at: closeAt, do: 'event', type: 'close' },
      ];
    },
  },
};

export const pir: DeviceModel = {
  batteryPowered: true,
  reading(state, ts) {
    const h = localHour(ts, state.timezone);
    const busy = daytime(state, ts) ? 18 : h >= 22 || h < 6 ? 0.5 : 4;
    return {
      fields: {
        motion: Math.round(clamp(state.rng.normal(busy, busy / 3), 0, 200)),
        battery: round(state.battery ?? 0),
      },
    };
  },
};

/** A call button only reports its battery until someone presses it (see the sos scenario). */
export const button: DeviceModel = {
  batteryPowered: true,
  reading(state) {
    return { fields: { battery: round(state.battery ?? 0) } };
  },
};
