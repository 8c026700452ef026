import { round } from '../random.js';
import { readingsEvery, ramp } from '../steps.js';
import { SECOND, wristbandFields, type Scenario } from './types.js';

/** Sustained tachycardia: the pulse climbs within 15 s and stays above 130 bpm past the rule's 60 s window. */
export const tachycardia: Scenario = {
  name: 'tachycardia',
  summary: 'wristband heart rate rising to ~142 bpm, sustained 90 s (vitals rule: > 130 bpm for 60 s)',
  kinds: ['wristband'],
  steps(state, options) {
    const target = options.value ?? 142;
    return readingsEvery(0, options.durationMs ?? 90 * SECOND, 5 * SECOND, (t) =>
      wristbandFields(state, { hr: round(ramp(state.hr, target, t, 15 * SECOND) + state.rng.normal(0, 2)) }),
    );
  },
};
