import { formatDuration, intent, placeSubject, refsOf, subjects } from './intent.js';
import type { RuleSettings } from './settings.js';
import type { Rule } from './types.js';

export interface SosState {
  /** Device time of the latest SOS per subject that a `cancel` may still downgrade. */
  pressedAt: Map<string, number>;
}

/**
 * sos: a call button's or a wristband's `sos` event raises a critical alert for the resident (a button without a
 * resident: for its room). A call button's `cancel` no later than `sos.cancelWindowMs` (30 s, device time) after
 * the SOS downgrades the open alert: an `update` intent to priority `high` with the detail "SOS cancelled by the
 * resident". High is reminded about at the slower high pace (docs/alerts.md "Escalation"); a caregiver still
 * resolves it (nothing clears an SOS by itself). A cancel after the window, or without an SOS, changes nothing.
 */
export const sosRule: Rule<SosState, RuleSettings> = {
  name: 'sos',
  initialState: () => ({ pressedAt: new Map() }),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.sos;
    const kind = ctx.device.kind;
    if (!settings.enabled || input.type !== 'event' || (kind !== 'button' && kind !== 'wristband')) return [];
    const { event } = input;
    const refs = refsOf(ctx);
    const subject = refs.resident ? subjects.resident(refs.resident) : placeSubject(refs);
    if (event.type === 'sos') {
      state.pressedAt.set(subject, Math.max(event.ts, state.pressedAt.get(subject) ?? -Infinity));
      const detail = kind === 'button' ? 'SOS: call button pressed' : 'SOS: pressed on the wristband';
      return [
        intent(refs, { action: 'raise', rule: 'sos', subject, priority: 'critical', detail, occurredAt: event.ts }),
      ];
    }
    if (event.type !== 'cancel') return [];
    const pressedAt = state.pressedAt.get(subject);
    if (pressedAt === undefined || event.ts < pressedAt || event.ts - pressedAt > settings.cancelWindowMs) return [];
    state.pressedAt.delete(subject);
    return [
      intent(refs, {
        action: 'update',
        rule: 'sos',
        subject,
        priority: 'high',
        detail: `SOS cancelled by the resident within ${formatDuration(settings.cancelWindowMs)}`,
        occurredAt: event.ts,
      }),
    ];
  },
};
