import { round } from '../random.js';
import { ramp, readingsEvery } from '../steps.js';
import { MINUTE, SECOND, type Scenario } from './types.js';

/**
 * Cooking next to a kitchen's smoke detector: warm air and steam lift the temperature ~2 °C/min to ~34 °C and
 * the obscuration to a few %/m, then it cools down. No fire criterion (10 %/m, 57 °C, 8 °C/min) is met.
 */
export const cooking: Scenario = {
  name: 'cooking',
  summary: 'kitchen smoke detector: warm steam, temperature ~2 °C/min to ~34 °C, smoke ~3 %/m, then cooling',
  kinds: ['smoke'],
  steps(state, options) {
    const length = options.durationMs ?? 20 * MINUTE;
    const peak = options.value ?? 34;
    const battery = Math.round(state.battery ?? 0);
    return readingsEvery(0, length, 30 * SECOND, (t) => {
      const heat = t < length / 2 ? ramp(0, 1, t, 6 * MINUTE) : ramp(1, 0, t - length / 2, length / 2);
      return {
        smoke: round(Math.max(0, 0.1 + 3 * heat + state.rng.normal(0, 0.3)), 2),
        temp: round(22 + (peak - 22) * heat + state.rng.normal(0, 0.3), 1),
        battery,
      };
    });
  },
};
