import { intent, subjects } from './intent.js';
import type { RuleSettings } from './settings.js';
import { observeSilence, silenceBase, survey, type SilenceState } from './silence.js';
import type { Rule } from './types.js';

/**
 * device_offline: no message from a device for `deviceOffline.silenceFactor` (3) × its expected interval, or its
 * Last Will / a status `{"online":false}` not followed by a message within `deviceOffline.willGraceMs` (30 s: a
 * network blip or a gateway restart raises nothing); on the wall clock (`tick`). A device found down waits
 * `connectivity.windowMs` (30 s) more for others: when at least `connectivity.minDevices` are down together, the
 * connectivity rule raises one alert for all of them instead (silence.ts). Warning; high for smoke and gas
 * detectors and the bed mat of a fully dependent resident. Subject `device:<id>`. Cleared by the device's next
 * message of any kind. The engine primes every registered device at start so one silent since before a restart
 * is noticed too.
 */
export const deviceOfflineRule: Rule<SilenceState, RuleSettings> = {
  name: 'device_offline',
  ...silenceBase,
  evaluate(input, ctx, state) {
    const back = observeSilence(state, input, ctx);
    if (!back) return [];
    const at = input.type === 'event' ? input.event.ts : input.type === 'reading' ? input.sample.ts : ctx.now;
    const fields = { rule: 'device_offline' as const, subject: subjects.device(ctx.device.id), occurredAt: at };
    return [intent(back.refs, { ...fields, action: 'clear', priority: back.priority, detail: 'device back online' })];
  },
  tick(now, state) {
    return survey(state, now).alone.map(({ refs, priority, detail, occurredAt }) =>
      intent(refs, {
        action: 'raise',
        rule: 'device_offline',
        subject: subjects.device(refs.device),
        priority,
        detail,
        occurredAt,
      }),
    );
  },
};
