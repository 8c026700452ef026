import { clamp, round } from '../random.js';
import { readingsEvery, ramp } from '../steps.js';
import { SECOND, wristbandFields, type Scenario } from './types.js';

/** Oxygen saturation falling to ~88 % and staying there past the rule's 60 s window (value 83: critical). */
export const lowSpo2: Scenario = {
  name: 'low-spo2',
  summary: 'wristband SpO2 falling to ~88 %, sustained 90 s (vitals rule: < 90 % for 60 s; --value 83 for < 85 %)',
  kinds: ['wristband'],
  steps(state, options) {
    const target = options.value ?? 88;
    return readingsEvery(0, options.durationMs ?? 90 * SECOND, 5 * SECOND, (t) => {
      const spo2 = ramp(state.body.spo2, target, t, 15 * SECOND) + state.rng.normal(0, 0.4);
      // The body answers low oxygen with a faster pulse.
      return wristbandFields(state, {
        spo2: round(clamp(spo2, 50, 100)),
        hr: round(state.hr + ramp(0, 12, t, 30_000)),
      });
    });
  },
};
