import { round } from '../random.js';
import { readingsEvery, ramp } from '../steps.js';
import { MINUTE, SECOND, withAlarm, type Scenario } from './types.js';

/** Incomplete combustion in a kitchen: CO rising to ~260 ppm over 3 minutes; the detector alarms at 200 ppm. */
export const gasLeak: Scenario = {
  name: 'gas-leak',
  summary: 'gas detector: CO rising to ~260 ppm over 3 min (high ≥ 50, critical ≥ 200), alarm event',
  kinds: ['gas'],
  steps(state, options) {
    const duration = options.durationMs ?? 3 * MINUTE;
    const peak = options.value ?? 260;
    const battery = Math.round(state.battery ?? 0);
    const steps = readingsEvery(0, duration, 10 * SECOND, (t) => ({
      co: round(Math.max(0, ramp(3, peak, t, duration) + state.rng.normal(0, 3))),
      lel: round(ramp(0.4, 6, t, duration), 1),
      battery,
    }));
    return withAlarm(steps, (f) => Number(f.co) >= 200);
  },
};
