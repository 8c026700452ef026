import { atLeast, hazardRule, type HazardSpec } from './hazard.js';
import { subjects } from './intent.js';
import type { RuleSettings } from './settings.js';

type Electrical = RuleSettings['electrical'];

const SPEC: HazardSpec<Electrical> = {
  rule: 'electrical',
  kind: 'electrical',
  subject: (refs) => subjects.device(refs.device),
  alarm: { priority: 'high', detail: 'electrical monitor alarm' },
  measures: [
    {
      field: 'residualMa',
      judge: atLeast<Electrical>(
        'high',
        (s) => s.residualMaAtLeast,
        (t) => `residual current at ${t} mA or more`,
      ),
    },
    {
      field: 'cableTemp',
      judge: atLeast<Electrical>(
        'high',
        (s) => s.cableTempAtLeast,
        (t) => `cable temperature at ${t} °C or more`,
      ),
    },
  ],
  clearDetail: 'electrical readings back to normal',
};

/**
 * electrical: residual current ≥ `electrical.residualMaAtLeast` (300 mA) or cable temperature ≥ `cableTempAtLeast`
 * (70 °C), or the monitor's own `alarm` event: high, one alert per monitor (`device:<id>`, a circuit of a
 * distribution board). Cleared when both read safe again and no alarm stands (auto-clears if nobody acknowledged).
 */
export const electricalRule = hazardRule(SPEC, (settings) => settings.electrical);
