import { readingsEvery, type Step } from '../steps.js';
import { MINUTE, SECOND, type Scenario } from './types.js';

/**
 * A resident gets out of bed and does not come back for 11 minutes: past the 10-minute limit for
 * fall-risk residents. The bed-exit rule only watches 22:00–06:00 local time (seed the facility in
 * `timezoneWhereItIsNight()` to demonstrate it by day).
 */
export const bedExit: Scenario = {
  name: 'bed-exit',
  summary: 'bed mat: out of bed for 11 min, then back (bed-exit rule, 22:00–06:00 local)',
  kinds: ['bedmat'],
  steps(state, options) {
    const away = options.durationMs ?? 11 * MINUTE;
    const steps: Step[] = [
      { at: 0, do: 'patch', patch: { occupied: false } },
      { at: 0, do: 'event', type: 'bed_exit' },
    ];
    return steps.concat(
      readingsEvery(SECOND, away - SECOND, 30 * SECOND, () => ({ occupied: false, motion: 0 })),
      { at: away, do: 'patch', patch: { occupied: true } },
      { at: away, do: 'event', type: 'bed_enter' },
      {
        at: away + SECOND,
        do: 'reading',
        fields: { occupied: true, hr: state.body.hr, rr: state.body.rr, motion: 30, sleep: 'awake' },
      },
    );
  },
};
