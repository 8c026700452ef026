import { round } from '../random.js';
import { readingsEvery, ramp } from '../steps.js';
import { MINUTE, SECOND, withAlarm, type Scenario } from './types.js';

/**
 * An insulation fault on a distribution board: residual current jumps to ~340 mA (rule: ≥ 300 mA) and
 * the overloaded cable heats to ~74 °C over 2 minutes (rule: ≥ 70 °C).
 */
export const electrical: Scenario = {
  name: 'electrical',
  summary: 'electrical monitor: residual current ~340 mA, cable temperature rising to ~74 °C, alarm event',
  kinds: ['electrical'],
  steps(state, options) {
    const duration = options.durationMs ?? 2 * MINUTE;
    const fault = options.value ?? 340;
    const steps = readingsEvery(0, duration, 10 * SECOND, (t) => ({
      residualMa: round(Math.max(0, t < 20 * SECOND ? 5 + state.rng.normal(0, 1) : fault + state.rng.normal(0, 6)), 1),
      cableTemp: round(ramp(32, 74, t, duration) + state.rng.normal(0, 0.3), 1),
      currentA: round(18 + state.rng.normal(0, 0.5), 1),
    }));
    return withAlarm(steps, (f) => Number(f.residualMa) >= 300);
  },
};
