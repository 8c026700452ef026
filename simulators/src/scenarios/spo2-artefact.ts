import { round } from '../random.js';
import { readingsEvery } from '../steps.js';
import { SECOND, wristbandFields, type Scenario } from './types.js';

/**
 * A motion artefact: the resident moves an arm, the optical sensor loses the pulse wave and reports a
 * saturation far too low for a few seconds (~82 %), while the pulse rises with the movement. Real hypoxaemia
 * does not come and go within seconds; a confirmation window tells the two apart.
 */
export const spo2Artefact: Scenario = {
  name: 'spo2-artefact',
  summary: 'wristband: SpO2 reads ~82 % for a few seconds while the arm moves (a motion artefact), then normal',
  kinds: ['wristband'],
  steps(state, options) {
    const low = options.value ?? 82;
    const length = options.durationMs ?? 4 * SECOND;
    return readingsEvery(0, length + 6 * SECOND, 2 * SECOND, (t) =>
      wristbandFields(state, {
        hr: round(state.hr + 15 + state.rng.normal(0, 3)),
        ...(t <= length ? { spo2: round(low + state.rng.normal(0, 1.5)) } : {}),
      }),
    );
  },
};
