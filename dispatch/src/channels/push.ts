import webpush from 'web-push';
import { ChannelNotConfigured } from '../errors.js';
import { postOnce } from './http.js';
import type { Send } from './types.js';

/** How long a push service keeps an undelivered notification (s): past the 15-minute response circle it is moot. */
const TTL_S = 900;

/**
 * Web Push with VAPID (RFC 8292): `web-push` encrypts the payload for the subscription (RFC 8291, aes128gcm) and
 * signs the JWT; the request goes out through the same HTTP sender as the webhooks.
 */
export function pushChannel(vapid: { publicKey: string; privateKey: string; subject: string } | undefined): Send {
  return async ({ endpoint, message }) => {
    if (!vapid)
      throw ChannelNotConfigured('Web Push is not configured (VIGIL_VAPID_PUBLIC_KEY, VIGIL_VAPID_PRIVATE_KEY)');
    if (!('subscription' in endpoint.target)) throw ChannelNotConfigured(`endpoint ${endpoint.id} has no subscription`);
    const request = webpush.generateRequestDetails(endpoint.target.subscription, JSON.stringify(message), {
      vapidDetails: vapid,
      TTL: TTL_S,
      urgency: 'high',
    });
    // fetch sets Content-Length itself; every other header as web-push made it.
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => name.toLowerCase() !== 'content-length')
        .map(([name, value]) => [name, String(value)]),
    );
    await postOnce(request.endpoint, headers, request.body ?? '');
  };
}
