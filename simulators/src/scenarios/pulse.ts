import { round } from '../random.js';
import { ramp, readingsEvery } from '../steps.js';
import { SECOND, wristbandFields, type Scenario } from './types.js';

/**
 * A pulse moving to `value` (default `target`) within `rampMs` and held there for `durationMs` (default 90 s), a
 * reading every 5 s: tachycardia, bradycardia, a spike from movement, exercise, deep sleep.
 */
export function pulseScenario(spec: {
  name: string;
  summary: string;
  target: number;
  rampMs: number;
  sd: number;
}): Scenario {
  return {
    name: spec.name,
    summary: spec.summary,
    kinds: ['wristband'],
    steps(state, options) {
      const target = options.value ?? spec.target;
      return readingsEvery(0, options.durationMs ?? 90 * SECOND, 5 * SECOND, (t) =>
        wristbandFields(state, { hr: round(ramp(state.hr, target, t, spec.rampMs) + state.rng.normal(0, spec.sd)) }),
      );
    },
  };
}
