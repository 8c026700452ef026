import type { Client, Subscription } from 'aedes';
import { subscribeRefusal } from '../acl/rights.js';
import { unshare } from '../acl/topic-filter.js';
import { refuse, type HookContext } from './context.js';

/**
 * aedes `authorizeSubscribe`: a refused filter gets return code 0x80 in the SUBACK [MQTT-3.9.3-2]; the
 * connection stays up, so a device with one stray subscription still delivers its readings.
 */
export function authorizeSubscribeHook(ctx: HookContext) {
  return (
    client: Client,
    subscription: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ): void => {
    const principal = ctx.principals.get(client);
    const refusal = principal ? subscribeRefusal(principal, subscription.topic) : 'not authenticated';
    if (refusal) {
      refuse(ctx, 'subscribe_denied', { clientId: client.id, filter: subscription.topic }, refusal);
      return callback(null, null);
    }
    // aedes 1.x has no shared subscriptions: `$share/<group>/<filter>` would be a literal filter that never
    // matches. At the edge each service runs once, so the gateway subscribes the plain filter instead (in
    // place, so a persistent session stores it too): every member gets every message, none is lost.
    const inner = unshare(subscription.topic);
    if (inner && inner !== subscription.topic) subscription.topic = inner;
    callback(null, subscription);
  };
}
