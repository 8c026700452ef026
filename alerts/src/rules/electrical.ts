import { evaluateHazard, type HazardSpec } from './hazard.js';
import { subjects } from './intent.js';
import { SubjectLevels } from './levels.js';
import type { RuleSettings } from './settings.js';
import type { Rule } from './types.js';

type Electrical = RuleSettings['electrical'];

const atLeast =
  (threshold: (s: Electrical) => number, detail: (t: number) => string) => (value: number, s: Electrical) =>
    value >= threshold(s) ? { priority: 'high' as const, detail: detail(threshold(s)) } : null;

const SPEC: HazardSpec<Electrical> = {
  rule: 'electrical',
  kind: 'electrical',
  subject: (refs) => subjects.device(refs.device),
  alarm: { priority: 'high', detail: 'electrical monitor alarm' },
  measures: [
    {
      field: 'residualMa',
      judge: atLeast(
        (s) => s.residualMaAtLeast,
        (t) => `residual current at ${t} mA or more`,
      ),
    },
    {
      field: 'cableTemp',
      judge: atLeast(
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
export const electricalRule: Rule<SubjectLevels, RuleSettings> = {
  name: 'electrical',
  initialState: () => new SubjectLevels(),
  evaluate(input, ctx, levels) {
    const settings = ctx.settings.electrical;
    return settings.enabled ? evaluateHazard(SPEC, input, ctx, settings, levels) : [];
  },
};
