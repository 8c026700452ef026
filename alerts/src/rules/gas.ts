import { placeSubject } from './intent.js';
import { hazardRule, tiers, type HazardSpec } from './hazard.js';
import type { RuleSettings } from './settings.js';

type Gas = RuleSettings['gas'];

const SPEC: HazardSpec<Gas> = {
  rule: 'gas',
  kind: 'gas',
  subject: placeSubject,
  alarm: { priority: 'critical', detail: 'gas detector alarm' },
  measures: [
    {
      field: 'lel',
      judge: tiers(
        (s) => s.lelHighAtLeast,
        (s) => s.lelCriticalAtLeast,
        (t) => `flammable gas at ${t} % LEL or more`,
      ),
    },
    {
      field: 'co',
      judge: tiers(
        (s) => s.coHighAtLeast,
        (s) => s.coCriticalAtLeast,
        (t) => `carbon monoxide at ${t} ppm or more`,
      ),
    },
  ],
  clearDetail: 'gas levels back to normal',
};

/**
 * gas: a gas detector's `alarm` event (critical); LEL ≥ `gas.lelHighAtLeast` (10 %) high, ≥ `lelCriticalAtLeast`
 * (25 %) critical; CO ≥ `coHighAtLeast` (50 ppm) high, ≥ `coCriticalAtLeast` (200 ppm) critical. One alert per
 * place (`location:<id>`); raised again when the level rises; cleared when every detector of the place reads
 * safe (a high alert nobody acknowledged auto-clears; a critical one waits for a person).
 */
export const gasRule = hazardRule(SPEC, (settings) => settings.gas);
