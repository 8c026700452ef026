import type { Scenario } from './types.js';

/** The band slips off or is put on the bedside table without a `removed` event: it just reads `worn: false`. */
export const bandOff: Scenario = {
  name: 'band-off',
  summary: 'wristband off the wrist without a removed event: worn=false readings (band-not-worn rule: 30 min)',
  kinds: ['wristband'],
  steps: () => [{ at: 0, do: 'patch', patch: { worn: false } }],
};
