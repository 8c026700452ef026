import { round } from '../random.js';
import { wristbandFields, type Scenario } from './types.js';

/**
 * One cuffless blood-pressure spot measurement at a systolic ~186 mmHg (`--value`). One high reading is
 * common (white coat, just walked); the rule asks for two consecutive ones.
 */
export const bpSpot: Scenario = {
  name: 'bp-spot',
  summary: 'wristband: one blood-pressure reading, systolic ~186 mmHg (vitals rule: ≥ 180 on 2 readings)',
  kinds: ['wristband'],
  steps(state, options) {
    const sbp = options.value ?? 186;
    const dbp = round(Math.min(125, state.body.dbp + (sbp - state.body.sbp) / 3));
    return [
      { at: 0, do: 'reading', fields: wristbandFields(state, { sbp: round(sbp + state.rng.normal(0, 2)), dbp }) },
    ];
  },
};
