import { intent, subjects } from './intent.js';
import type { RuleSettings } from './settings.js';
import { observeSilence, silenceBase, survey, type SilenceState } from './silence.js';
import type { Rule } from './types.js';

/**
 * connectivity: at least `connectivity.minDevices` (5) devices of a facility down within `connectivity.windowMs`
 * (30 s) of each other — silent, or their Last Will not followed by a reconnect within the grace — raise ONE
 * alert for the facility (subject `facility`) with their count, instead of one device_offline each (a network,
 * power or gateway outage, not many broken devices). High: residents are unwatched. The count is updated as
 * devices drop out or come back; the alert clears when fewer than `minDevices` are still down, and those left
 * then raise device_offline on their own. On the wall clock, like device_offline, whose bookkeeping it shares
 * (silence.ts).
 */
export const connectivityRule: Rule<SilenceState, RuleSettings> = {
  name: 'connectivity',
  ...silenceBase,
  evaluate(input, ctx, state) {
    observeSilence(state, input, ctx);
    return [];
  },
  tick(now, state) {
    const group = survey(state, now).group;
    if (!group) return [];
    const detail =
      group.action === 'raise'
        ? `${group.count} devices offline together (network or gateway?)`
        : 'devices back online';
    return [
      intent(group.refs, {
        action: group.action,
        rule: 'connectivity',
        subject: subjects.facility,
        priority: 'high',
        detail,
        occurredAt: group.action === 'raise' ? group.occurredAt : now,
      }),
    ];
  },
};
