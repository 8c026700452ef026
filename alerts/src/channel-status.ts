import { channelStatusSchema, INTERNAL_TOPICS } from '@vigil/protocol';
import { subjects } from './rules/intent.js';
import type { AlertIntent } from './rules/types.js';

const PREFIX = `${INTERNAL_TOPICS.channelStatus}/`;

export const isChannelStatusTopic = (topic: string): boolean => topic.startsWith(PREFIX);

/**
 * The intent of a notification channel's status from the dispatch service: `down` raises a high alert for the
 * endpoint (people are not being told), `up` clears it. Trusted for its facility because only the dispatch role may
 * publish there (gateway ACL). Null for a payload that is not a channel status.
 */
export function channelStatusIntent(payload: Buffer | string): { facility: string; intent: AlertIntent } | null {
  let parsed;
  try {
    parsed = channelStatusSchema.safeParse(JSON.parse(payload.toString()));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const s = parsed.data;
  const intent: AlertIntent = {
    action: s.state === 'down' ? 'raise' : 'clear',
    rule: 'notification_channel',
    subject: subjects.channel(s.endpoint),
    priority: 'high',
    detail:
      s.state === 'down'
        ? `notification channel ${s.channel} #${s.endpoint} down: ${s.reason ?? 'failed'}`
        : `notification channel ${s.channel} #${s.endpoint} working again`,
    resident: null,
    device: null,
    location: null,
    occurredAt: Date.parse(s.at),
  };
  return { facility: s.facility, intent };
}
