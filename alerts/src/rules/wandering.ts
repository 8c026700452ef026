import type { AlertPriority } from '@vigil/protocol';
import { inClockWindow } from '@vigil/protocol';
import { formatDuration, intent, refsOf, subjects } from './intent.js';
import { observePresence, presence, type Bed, type Presence } from './presence.js';
import type { RuleSettings } from './settings.js';
import type { Rule } from './types.js';

export interface DoorState {
  /** Last `open` value per door, so a door reporting `open: true` every interval raises once per opening. */
  doors: Map<string, { open: boolean; ts: number }>;
  /** The bed mats, for a bed exit before the exit door. */
  presence: Presence;
}

/** The resident who left the bed most recently, at most `withinMs` before the door opened and not back since. */
function leftBefore(state: Presence, ts: number, withinMs: number): [string, Bed] | null {
  let found: [string, Bed] | null = null;
  for (const entry of state.beds) {
    const { leftAt, occupied } = entry[1];
    if (occupied || leftAt === null || leftAt > ts || ts - leftAt > withinMs) continue;
    if (!found || leftAt > found[1].leftAt!) found = entry;
  }
  return found;
}

/**
 * wandering: a door opening (an `open` event, or a reading going to `open: true`) in the night window
 * (`night.start`–`night.end`, 22:00–06:00 in the facility's time zone, judged on the device's time): an exit door
 * (location kind `exit`) raises for the exit (`location:<id>`); the door of a wander-risk resident (a door device
 * assigned to the resident) raises for the resident (`resident:<id>`). High. An exit door opening at most
 * `wandering.bedExitWithinMs` (10 min, device time) after a resident left the bed (and is not back) names that
 * resident and says so ("bed exit + exit door at night within 10 min"); critical when the resident is at risk of
 * wandering. Not auto-cleared: a closed door does not say the resident came back, so a person resolves it.
 */
export const wanderingRule: Rule<DoorState, RuleSettings> = {
  name: 'wandering',
  initialState: () => ({ doors: new Map(), presence: presence() }),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.wandering;
    if (!settings.enabled) return [];
    observePresence(state.presence, input, ctx);
    if (ctx.device.kind !== 'door' || input.type === 'status') return [];
    const openings: number[] = [];
    const record = (open: boolean, ts: number) => {
      const last = state.doors.get(ctx.device.id);
      if (last && ts < last.ts) return;
      if (open && !last?.open) openings.push(ts);
      state.doors.set(ctx.device.id, { open, ts });
    };
    if (input.type === 'event') {
      if (input.event.type === 'open' || input.event.type === 'close')
        record(input.event.type === 'open', input.event.ts);
    } else if (typeof input.sample.open === 'boolean') {
      record(input.sample.open, input.sample.ts);
    }
    const refs = refsOf(ctx);
    const exit = ctx.location?.kind === 'exit';
    const subject =
      exit && refs.location
        ? subjects.location(refs.location)
        : ctx.resident?.wanderRisk
          ? subjects.resident(ctx.resident.id)
          : null;
    if (!subject) return [];
    return openings
      .filter((ts) => inClockWindow(ts, ctx.facility.timezone, ctx.settings.night))
      .map((ts) => {
        const left = exit ? leftBefore(state.presence, ts, settings.bedExitWithinMs) : null;
        const priority: AlertPriority = left?.[1].wanderRisk ? 'critical' : 'high';
        const detail = left
          ? `bed exit + exit door at night within ${formatDuration(settings.bedExitWithinMs)}`
          : exit
            ? 'exit door opened at night'
            : 'door of a resident at risk of wandering opened at night';
        const who = left ? { ...refs, resident: left[0] } : refs;
        return intent(who, { action: 'raise', rule: 'wandering', subject, priority, detail, occurredAt: ts });
      });
  },
};
