import { formatDuration, intent, personSubject, refsOf, type Refs } from './intent.js';
import { inputTs, observePresence, presence, type Presence } from './presence.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, Rule } from './types.js';

/** A fall still open to confirmation or lowering by the resident's bed mat and room motion sensor. */
interface Watched {
  refs: Refs;
  /** Device time of the fall. */
  at: number;
  detail: string;
  confirmed: boolean;
  confirmMs: number;
  watchMs: number;
}

export interface FallState {
  presence: Presence;
  /** By subject; empty almost always, so other messages cost one size check. */
  falls: Map<string, Watched>;
}

/**
 * What the other sensors say since the fall (device time `now`, of a message from the resident's or the room's
 * devices): confirmed when the resident's bed is empty and the room's motion sensor has seen no motion for
 * `fall.confirmMs`; lowered when there was motion and the resident is back in bed. Null: nothing to say yet.
 */
function judge(fall: Watched, state: Presence, now: number): 'confirm' | 'lower' | null {
  const bed = fall.refs.resident ? state.beds.get(fall.refs.resident) : undefined;
  const motion = fall.refs.location ? state.motion.get(fall.refs.location) : undefined;
  if (!bed || motion === undefined) return null;
  if (motion > fall.at && bed.occupied && bed.ts > fall.at) return 'lower';
  if (!fall.confirmed && !bed.occupied && motion <= fall.at && now - fall.at >= fall.confirmMs) return 'confirm';
  return null;
}

/** The watched falls of the resident or place a message (device time `now`) is from, judged again. */
function follow(state: FallState, resident: string | null, location: string | null, now: number): AlertIntent[] {
  const intents: AlertIntent[] = [];
  for (const [subject, fall] of state.falls) {
    const { refs } = fall;
    // Only the resident's and the room's devices tell this fall's device time (another's clock may be off).
    if (!((refs.resident && refs.resident === resident) || (refs.location && refs.location === location))) continue;
    if (now - fall.at > fall.watchMs) {
      state.falls.delete(subject);
      continue;
    }
    const verdict = judge(fall, state.presence, now);
    if (!verdict) continue;
    const fields = { action: 'update' as const, rule: 'fall' as const, subject, occurredAt: now };
    if (verdict === 'confirm') {
      fall.confirmed = true;
      const detail = `${fall.detail} + bed empty + no motion ${formatDuration(fall.confirmMs)}`;
      intents.push(intent(fall.refs, { ...fields, priority: 'critical', detail }));
    } else {
      state.falls.delete(subject);
      const detail = `${fall.detail}, then movement and back in bed`;
      intents.push(intent(fall.refs, { ...fields, priority: 'high', detail }));
    }
  }
  return intents;
}

/**
 * fall: a wristband `fall` event with confidence ≥ `fall.minConfidence` (0.7) raises a critical alert for the
 * resident at once. A fall event without a confidence is taken at its word. Every fall event raises (a second fall
 * while the first is open is an `updated`); nothing clears it but a person. For `fall.watchMs` (30 min of device
 * time) after it, the resident's bed mat and the room's motion sensor confirm or lower it: bed empty and no motion
 * for `fall.confirmMs` (2 min) updates the detail ("… + bed empty + no motion 2 min"); movement and the resident
 * back in bed lower it to high ("…, then movement and back in bed"), still for a person to resolve.
 */
export const fallRule: Rule<FallState, RuleSettings> = {
  name: 'fall',
  initialState: () => ({ presence: presence(), falls: new Map() }),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.fall;
    if (!settings.enabled) return [];
    observePresence(state.presence, input, ctx);
    if (input.type === 'event' && input.event.type === 'fall' && ctx.device.kind === 'wristband') {
      const { event } = input;
      const confidence = event.confidence ?? 1;
      if (confidence < settings.minConfidence) return [];
      const refs = refsOf(ctx);
      const subject = personSubject(refs);
      const detail =
        event.confidence === undefined ? 'fall detected' : `fall detected (confidence ${confidence.toFixed(2)})`;
      const { confirmMs, watchMs } = settings;
      state.falls.set(subject, { refs, at: event.ts, detail, confirmed: false, confirmMs, watchMs });
      return [
        intent(refs, { action: 'raise', rule: 'fall', subject, priority: 'critical', detail, occurredAt: event.ts }),
      ];
    }
    const now = inputTs(input);
    if (!state.falls.size || now === undefined) return [];
    return follow(state, ctx.device.resident ?? ctx.resident?.id ?? null, ctx.location?.id ?? null, now);
  },
};
