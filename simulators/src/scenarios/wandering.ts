import type { Scenario } from './types.js';
import { SECOND } from './types.js';

/** Someone opens an exit door and leaves it open for 40 s (the wandering rule watches exits at night). */
export const wandering: Scenario = {
  name: 'wandering',
  summary: 'exit door opens and closes 40 s later (wandering rule, 22:00–06:00 local)',
  kinds: ['door'],
  steps(state, options) {
    const battery = Math.round(state.battery ?? 0);
    const closeAt = options.durationMs ?? 40 * SECOND;
    return [
      { at: 0, do: 'patch', patch: { doorOpen: true } },
      { at: 0, do: 'event', type: 'open' },
      { at: 0, do: 'reading', fields: { open: true, battery } },
      { at: closeAt, do: 'patch', patch: { doorOpen: false } },
      { at: closeAt, do: 'event', type: 'close' },
      { at: closeAt, do: 'reading', fields: { open: false, battery } },
    ];
  },
};
