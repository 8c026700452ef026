import type { Step } from '../steps.js';
import type { Scenario } from './types.js';

/**
 * The resident takes the wristband off: a `removed` event, then readings with `worn: false` (no pulse, skin
 * sensor at room temperature) until it is put back: never by default, after `durationMs` if given.
 */
export const bandRemoved: Scenario = {
  name: 'band-removed',
  summary: 'wristband taken off: removed event, worn=false readings until the simulator restarts (or --duration)',
  kinds: ['wristband'],
  steps(state, options) {
    const battery = Math.round(state.battery ?? 0);
    const steps: Step[] = [
      { at: 0, do: 'patch', patch: { worn: false } },
      { at: 0, do: 'event', type: 'removed' },
      { at: 0, do: 'reading', fields: { worn: false, skinTemp: 24.1, battery } },
    ];
    if (options.durationMs !== undefined) steps.push({ at: options.durationMs, do: 'patch', patch: { worn: true } });
    return steps;
  },
};
