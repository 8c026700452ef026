import { round } from '../random.js';
import { readingsEvery } from '../steps.js';
import { MINUTE, type Scenario } from './types.js';

/**
 * The natural leakage current of a board feeding many appliances: 100–200 mA, which GB 50116 treats as
 * normal (an electrical-fire monitor alarms from 300 mA), drifting for hours.
 */
export const leakage: Scenario = {
  name: 'leakage',
  summary: 'electrical monitor: natural leakage ~150 mA (100–200 mA per GB 50116) for 2 h',
  kinds: ['electrical'],
  steps(state, options) {
    const level = options.value ?? 150;
    return readingsEvery(0, options.durationMs ?? 120 * MINUTE, 5 * MINUTE, () => ({
      residualMa: round(level + state.rng.normal(0, 12), 1),
      cableTemp: round(38 + state.rng.normal(0, 0.6), 1),
      currentA: round(22 + state.rng.normal(0, 1.5), 1),
    }));
  },
};
