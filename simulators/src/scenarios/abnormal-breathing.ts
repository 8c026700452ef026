import { clamp, round } from '../random.js';
import { ramp, readingsEvery } from '../steps.js';
import { SECOND, type Scenario } from './types.js';

/**
 * Breathing in bed at ~34 breaths/min (pneumonia, heart failure), or with `--value 6` too slow (opioids),
 * sustained 2 minutes (vitals rule: < 8 or > 30 /min for 60 s).
 */
export const abnormalBreathing: Scenario = {
  name: 'abnormal-breathing',
  summary: 'bed mat respiratory rate moving to ~34 /min (--value 6: too slow), sustained 2 min (vitals rule)',
  kinds: ['bedmat'],
  steps(state, options) {
    const target = options.value ?? 34;
    return readingsEvery(0, options.durationMs ?? 120 * SECOND, 5 * SECOND, (t) => ({
      occupied: true,
      hr: round(state.body.hr + (target > 20 ? 14 : -6) + state.rng.normal(0, 1.5)),
      rr: round(clamp(ramp(state.body.rr, target, t, 20 * SECOND) + state.rng.normal(0, 0.8), 0, 80)),
      motion: round(state.rng.between(2, 12)),
      sleep: 'awake',
    }));
  },
};
