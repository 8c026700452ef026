import { readingsEvery } from '../steps.js';
import { SECOND, type Scenario } from './types.js';

/** A resident in bed stops breathing: the mat still feels the body but measures no pulse and no breath. */
export const noVitals: Scenario = {
  name: 'no-vitals',
  summary: 'bed mat occupied with heart rate and breathing 0 for 60 s (no-vitals-in-bed rule: 20 s)',
  kinds: ['bedmat'],
  steps: (_state, options) =>
    readingsEvery(0, options.durationMs ?? 60 * SECOND, 5 * SECOND, () => ({
      occupied: true,
      hr: 0,
      rr: 0,
      motion: 0,
      sleep: 'deep',
    })),
};
