import { round } from '../random.js';
import { readingsEvery, ramp, type Step } from '../steps.js';
import { SECOND, wristbandFields, type Scenario } from './types.js';

/** A fall: the wristband's fall event, then a pulse raised by the shock that settles over a minute. */
export const fall: Scenario = {
  name: 'fall',
  summary: 'wristband fall event (confidence 0.8–0.97), then a raised, settling pulse',
  kinds: ['wristband'],
  steps(state, options) {
    const confidence = options.value ?? round(state.rng.between(0.8, 0.97), 2);
    const peak = state.body.hr + 25;
    const settle = 60 * SECOND;
    const steps: Step[] = [{ at: 0, do: 'event', type: 'fall', confidence }];
    return steps.concat(
      readingsEvery(5 * SECOND, settle, 10 * SECOND, (t) =>
        wristbandFields(state, { hr: round(ramp(peak, state.body.hr + 8, t, settle) + state.rng.normal(0, 2)) }),
      ),
    );
  },
};
