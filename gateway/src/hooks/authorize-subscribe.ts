import type { Client, Subscription } from 'aedes';
import { subscribeRefusal } from '../acl/rights.js';
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
    callback(null, subscription);
  };
}
