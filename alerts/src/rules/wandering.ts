import { inClockWindow } from '@vigil/protocol';
import { intent, refsOf, subjects } from './intent.js';
import type { RuleSettings } from './settings.js';
import type { Rule } from './types.js';

/** Last `open` value per door, so a door reporting `open: true` every interval raises once per opening. */
export type DoorState = Map<string, { open: boolean; ts: number }>;

/**
 * wandering: a door opening (an `open` event, or a reading going to `open: true`) in the night window
 * (`night.start`–`night.end`, 22:00–06:00 in the facility's time zone, judged on the device's time): an exit door
 * (location kind `exit`) raises for the exit (`location:<id>`); the door of a wander-risk resident (a door device
 * assigned to the resident) raises for the resident (`resident:<id>`). High. Not auto-cleared: a closed door does
 * not say the resident came back, so a person resolves it.
 */
export const wanderingRule: Rule<DoorState, RuleSettings> = {
  name: 'wandering',
  initialState: () => new Map(),
  evaluate(input, ctx, state) {
    if (!ctx.settings.wandering.enabled || ctx.device.kind !== 'door' || input.type === 'status') return [];
    const openings: number[] = [];
    const record = (open: boolean, ts: number) => {
      const last = state.get(ctx.device.id);
      if (last && ts < last.ts) return;
      if (open && !last?.open) openings.push(ts);
      state.set(ctx.device.id, { open, ts });
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
    const detail = exit ? 'exit door opened at night' : 'door of a resident at risk of wandering opened at night';
    return openings
      .filter((ts) => inClockWindow(ts, ctx.facility.timezone, ctx.settings.night))
      .map((ts) =>
        intent(refs, { action: 'raise', rule: 'wandering', subject, priority: 'high', detail, occurredAt: ts }),
      );
  },
};
