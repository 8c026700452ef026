import { intent, personSubject, refsOf } from './intent.js';
import type { RuleSettings } from './settings.js';
import type { Rule } from './types.js';

/**
 * fall: a wristband `fall` event with confidence ≥ `fall.minConfidence` (0.7) raises a critical alert for the
 * resident. A fall event without a confidence is taken at its word. Every fall event raises (a second fall while
 * the first is open is an `updated`); nothing clears it but a person.
 */
export const fallRule: Rule<null, RuleSettings> = {
  name: 'fall',
  initialState: () => null,
  evaluate(input, ctx) {
    const settings = ctx.settings.fall;
    if (!settings.enabled || input.type !== 'event' || ctx.device.kind !== 'wristband') return [];
    const { event } = input;
    if (event.type !== 'fall') return [];
    const confidence = event.confidence ?? 1;
    if (confidence < settings.minConfidence) return [];
    const refs = refsOf(ctx);
    const detail =
      event.confidence === undefined ? 'fall detected' : `fall detected (confidence ${confidence.toFixed(2)})`;
    return [
      intent(refs, {
        action: 'raise',
        rule: 'fall',
        subject: personSubject(refs),
        priority: 'critical',
        detail,
        occurredAt: event.ts,
      }),
    ];
  },
};
