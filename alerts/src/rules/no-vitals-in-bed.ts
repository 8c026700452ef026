import { booleanField, formatDuration, numberField, personSubject, refsOf } from './intent.js';
import { continuousSpec } from './runs.js';
import type { RuleSettings } from './settings.js';
import { judgeSustained, sustainedState, type Sustained, type SustainedState } from './sustained.js';
import type { Rule } from './types.js';

type NoVitals = RuleSettings['noVitalsInBed'];

export interface NoVitalsState extends SustainedState {
  /** Last occupancy each bed mat reported (device time order is not needed: it only fills in missing fields). */
  occupied: Map<string, boolean>;
}

const CONDITION: Sustained<NoVitals> = {
  key: 'noVitals',
  priority: 'critical',
  hit: (sample) => {
    const occupied = booleanField(sample, 'occupied');
    const hr = numberField(sample, 'hr');
    const rr = numberField(sample, 'rr');
    if (occupied === false || (hr ?? 0) > 0 || (rr ?? 0) > 0) return false;
    if (occupied === true && hr === 0 && rr === 0) return true;
    return undefined;
  },
  spec: (s, device) => continuousSpec(s.sustainMs, s.maxGapMs, device.expectedIntervalS),
  detail: (s) => `no heart rate or breathing in an occupied bed for ${formatDuration(s.sustainMs)}`,
};

/**
 * no_vitals_in_bed: a bed mat reports the bed occupied with heart rate and respiratory rate both 0 for
 * `noVitalsInBed.sustainMs` (20 s) of device time: critical, for the resident. A sample without `occupied` takes
 * the mat's last reported occupancy. Cleared (the engine keeps critical alerts for a person) when a heart rate or
 * breathing is measured again or the bed is empty.
 */
export const noVitalsInBedRule: Rule<NoVitalsState, RuleSettings> = {
  name: 'no_vitals_in_bed',
  initialState: () => ({ ...sustainedState(), occupied: new Map() }),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.noVitalsInBed;
    if (!settings.enabled || input.type !== 'reading' || ctx.device.kind !== 'bedmat') return [];
    const occupied = booleanField(input.sample, 'occupied');
    if (occupied !== undefined) state.occupied.set(ctx.device.id, occupied);
    const sample = { ...input.sample, occupied: occupied ?? state.occupied.get(ctx.device.id) };
    const refs = refsOf(ctx);
    return judgeSustained(
      {
        rule: 'no_vitals_in_bed',
        subject: personSubject(refs),
        conditions: [CONDITION],
        sample,
        refs,
        device: ctx.device,
        settings,
        staleMs: Infinity,
        now: ctx.now,
        clearDetail: 'vital signs detected again',
      },
      state,
    );
  },
};
