import { round } from '../random.js';
import { readingsEvery, ramp } from '../steps.js';
import { MINUTE, SECOND, withAlarm, type Scenario } from './types.js';

/**
 * A fire starting in a room: temperature rising ~15 °C/min to 68 °C and smoke obscuration to 18 %/m over
 * 3 minutes; the detector's own alarm sounds when obscuration reaches 10 %/m. Every fire criterion trips.
 */
export const fire: Scenario = {
  name: 'fire',
  summary: 'smoke detector: temperature rising ~15 °C/min to 68 °C, smoke to 18 %/m, alarm event',
  kinds: ['smoke'],
  steps(state, options) {
    const duration = options.durationMs ?? 3 * MINUTE;
    const battery = Math.round(state.battery ?? 0);
    const steps = readingsEvery(0, duration, 10 * SECOND, (t) => ({
      smoke: round(Math.max(0, ramp(0.1, 18, t, duration) + state.rng.normal(0, 0.2)), 2),
      temp: round(ramp(22, 68, t, duration) + state.rng.normal(0, 0.3), 1),
      battery,
    }));
    return withAlarm(steps, (f) => Number(f.smoke) >= 10);
  },
};
