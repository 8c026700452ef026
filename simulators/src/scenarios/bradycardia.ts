import { round } from '../random.js';
import { ramp, readingsEvery } from '../steps.js';
import { SECOND, wristbandFields, type Scenario } from './types.js';

/**
 * The pulse falls to ~36 bpm and stays there (heart block, a beta-blocker overdose); with `--value 44` and a
 * long duration, the deep-sleep pulse of a fit resident, which must not alarm (rule: < 40 bpm for 60 s).
 */
export const bradycardia: Scenario = {
  name: 'bradycardia',
  summary: 'wristband heart rate falling to ~36 bpm within 20 s, sustained 90 s (vitals rule: < 40 bpm for 60 s)',
  kinds: ['wristband'],
  steps(state, options) {
    const target = options.value ?? 36;
    return readingsEvery(0, options.durationMs ?? 90 * SECOND, 5 * SECOND, (t) =>
      wristbandFields(state, { hr: round(ramp(state.hr, target, t, 20 * SECOND) + state.rng.normal(0, 1)) }),
    );
  },
};
