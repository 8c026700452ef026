import { round } from '../random.js';
import type { Fields } from '../models/index.js';
import { readingsEvery } from '../steps.js';
import { MINUTE, SECOND, type Scenario } from './types.js';

/**
 * A restless night's half hour: tossing and turning, pulse and breathing up, and the resident rolling to the
 * edge of the mat so that it reads empty for a sample or two before the body is felt again.
 */
export const restless: Scenario = {
  name: 'restless',
  summary: 'bed mat: 20 min of tossing and turning, the mat reading empty for a few seconds now and then',
  kinds: ['bedmat'],
  steps(state, options) {
    const length = options.durationMs ?? 20 * MINUTE;
    return readingsEvery(0, length, 10 * SECOND, (): Fields => {
      const edge = state.rng.chance(0.06);
      if (edge) return { occupied: false, motion: round(state.rng.between(40, 70)) };
      return {
        occupied: true,
        hr: round(state.body.hr + state.rng.between(4, 16)),
        rr: round(state.body.rr + state.rng.between(1, 5)),
        motion: round(state.rng.between(30, 70)),
        sleep: 'awake',
      };
    });
  },
};
