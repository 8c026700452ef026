import webpush from 'web-push';
import { ChannelFailed, ChannelNotConfigured } from '../errors.js';
import type { Send } from './types.js';

/** How long a push service keeps an undelivered notification (s): past the 15-minute response circle it is moot. */
const TTL_S = 900;

/** Web Push with VAPID (RFC 8292): the payload is encrypted for the subscription (RFC 8291) by `web-push`. */
export function pushChannel(vapid: { publicKey: string; privateKey: string; subject: string } | undefined): Send {
  return async ({ endpoint, message }) => {
    if (!vapid)
      throw ChannelNotConfigured('Web Push is not configured (VIGIL_VAPID_PUBLIC_KEY, VIGIL_VAPID_PRIVATE_KEY)');
    if (!('subscription' in endpoint.target)) throw ChannelNotConfigured(`endpoint ${endpoint.id} has no subscription`);
    await webpush
      .sendNotification(endpoint.target.subscription, JSON.stringify(message), {
        vapidDetails: vapid,
        TTL: TTL_S,
        urgency: 'high',
      })
      .catch((err: Error & { statusCode?: number }) => {
        throw ChannelFailed(`push service: ${err.statusCode ?? err.message}`, err);
      });
  };
}
