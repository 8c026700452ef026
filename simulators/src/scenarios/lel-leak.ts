import { round } from '../random.js';
import { ramp, readingsEvery } from '../steps.js';
import { MINUTE, SECOND, withAlarm, type Scenario } from './types.js';

/** A gas hose comes loose in a kitchen: flammable gas rising to ~32 % LEL over 3 minutes; the detector alarms at 25 %. */
export const lelLeak: Scenario = {
  name: 'lel-leak',
  summary: 'gas detector: flammable gas rising to ~32 % LEL over 3 min (high ≥ 10, critical ≥ 25), alarm event',
  kinds: ['gas'],
  steps(state, options) {
    const duration = options.durationMs ?? 3 * MINUTE;
    const peak = options.value ?? 32;
    const battery = Math.round(state.battery ?? 0);
    const steps = readingsEvery(0, duration, 10 * SECOND, (t) => ({
      lel: round(Math.max(0, ramp(0.4, peak, t, duration) + state.rng.normal(0, 0.4)), 1),
      co: round(Math.max(0, 3 + state.rng.normal(0, 1))),
      battery,
    }));
    return withAlarm(steps, (f) => Number(f.lel) >= 25);
  },
};
