import { localHour } from '@vigil/protocol';
import { clamp, round } from '../random.js';
import type { DeviceModel, DeviceState, EventBody, Fields, ModelOutput } from './types.js';

const SLEEP_CYCLE_H = 1.5;

/** In bed by the resident's own schedule: every night, and an afternoon nap for some. */
export function inBedAt(state: DeviceState, ts: number): boolean {
  const h = localHour(ts, state.timezone);
  const { bedtime, wakeTime, naps } = state.body;
  return h >= bedtime || h < wakeTime || (naps && h >= 13.5 && h < 15);
}

/** Heart rate drifts slowly around the baseline, lower while asleep; never a value a rule would alarm on. */
function nextHr(state: DeviceState, asleep: boolean): number {
  const target = state.body.hr - (asleep ? 8 : 0);
  state.hr = clamp(state.hr + (target - state.hr) * 0.3 + state.rng.normal(0, 1.5), 48, 105);
  return round(state.hr);
}

export const wristband: DeviceModel = {
  batteryPowered: true,
  reading(state, ts) {
    const { rng, body } = state;
    const battery = round(state.battery ?? 0);
    // A band off the wrist has no skin contact: no pulse, no SpO2, skin sensor at room temperature.
    if (!state.worn) return { fields: { worn: false, skinTemp: round(rng.normal(24, 0.4), 1), battery } };
    const fields: Fields = {
      hr: nextHr(state, inBedAt(state, ts)),
      spo2: round(clamp(rng.normal(body.spo2, 0.6), 92, 100)),
      skinTemp: round(clamp(rng.normal(body.skinTemp, 0.15), 30, 37), 1),
      worn: true,
      battery,
    };
    // Cuffless blood pressure is an occasional spot measurement (about hourly at the default interval).
    if (rng.chance(1 / 60)) {
      fields.sbp = round(rng.normal(body.sbp, 5));
      fields.dbp = round(rng.normal(body.dbp, 3));
    }
    return { fields };
  },
};

function sleepStage(state: DeviceState, ts: number): string {
  const h = localHour(ts, state.timezone);
  const sinceBed = (h - state.body.bedtime + 24) % 24;
  if (sinceBed < 0.3 || (h >= 13 && h < 16)) return 'light';
  const phase = (sinceBed % SLEEP_CYCLE_H) / SLEEP_CYCLE_H;
  // Deep sleep dominates early cycles, REM the late ones; a short awakening between cycles.
  if (phase > 0.96) return 'awake';
  if (phase < (sinceBed < 4 ? 0.5 : 0.25)) return 'deep';
  return phase > 0.75 ? 'rem' : 'light';
}

const MOTION: Record<string, [number, number]> = { awake: [20, 45], light: [5, 18], rem: [3, 10], deep: [0, 4] };

export const bedmat: DeviceModel = {
  batteryPowered: false,
  reading(state, ts): ModelOutput {
    const { rng, body } = state;
    const inBed = inBedAt(state, ts);
    const events: EventBody[] = [];
    if (inBed !== state.occupied) events.push({ type: inBed ? 'bed_enter' : 'bed_exit' });
    state.occupied = inBed;
    if (!inBed) return { fields: { occupied: false, motion: 0 }, events };
    const sleep = sleepStage(state, ts);
    const [lo, hi] = MOTION[sleep] ?? [0, 10];
    return {
      fields: {
        occupied: true,
        hr: nextHr(state, sleep !== 'awake'),
        rr: round(clamp(rng.normal(body.rr - (sleep === 'deep' ? 2 : 0), 1), 9, 24)),
        motion: round(rng.between(lo, hi)),
        sleep,
      },
      events,
    };
  },
};
