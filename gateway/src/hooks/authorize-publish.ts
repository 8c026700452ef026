import type { Client, PublishPacket } from 'aedes';
import { INTERNAL_TOPICS, parseDeviceTopic } from '@vigil/protocol';
import { publishRefusal } from '../acl/rights.js';
import { toStored } from '../persistence/stored-message.js';
import { refuse, type HookContext } from './context.js';

/** Device uplink topics go upstream (unless a region feed runs without the raw opt-in); commands stay at the edge. */
function goesUpstream(ctx: HookContext, topic: string): boolean {
  const parsed = parseDeviceTopic(topic);
  return parsed !== null && parsed.kind !== 'command' && (ctx.region?.shareRaw ?? true);
}

/** The outbox copy of a message, before aedes may acknowledge it: the raw message, or its region version. */
function storeUpstream(ctx: HookContext, packet: PublishPacket): Promise<void> | undefined {
  const uplink = ctx.uplink;
  if (!uplink) return undefined;
  if (goesUpstream(ctx, packet.topic)) return uplink.append(toStored(packet, ctx.clock.now()));
  if (ctx.region && packet.topic === INTERNAL_TOPICS.alertEvents)
    return ctx.region.feed.appendAlertEvent(packet.payload);
  return undefined;
}

type Callback = (error?: Error | null) => void;

/** Counts and logs a refused publish and fails it, which makes aedes close the connection. */
function deny(
  ctx: HookContext,
  client: Client,
  packet: PublishPacket,
  callback: Callback,
  reason: 'publish_denied' | 'rate_limited',
  message: string,
  detail?: string,
): void {
  refuse(ctx, reason, { clientId: client.id, topic: packet.topic }, detail);
  callback(new Error(message));
}

/**
 * aedes `authorizePublish`: the topic ACL, the per-device rate limit, then (before aedes may acknowledge)
 * the uplink outbox and, for QoS 1, the message's routing into the persistent sessions (route-before-ack). A refused publish disconnects the client (PROTOCOL.md
 * "Topics"; MQTT 3.1.1 has no negative PUBACK, so closing is the only signal [MQTT-3.3.5-2]).
 *
 * aedes writes the PUBACK from the callback. Called back as each message is routed, the PUBACKs of a turn
 * still leave in one socket write (limits/coalesce-writes.ts).
 */
export function authorizePublishHook(ctx: HookContext) {
  return (client: Client | null, packet: PublishPacket, callback: Callback): void => {
    // A will published for a client that is gone (after a crash) has no principal; it was checked at CONNECT.
    const principal = client ? ctx.principals.get(client) : undefined;
    if (client) {
      if (client.closed && packet === (client as Client & { will?: unknown }).will) ctx.willsPublished.add(client);
      if (!principal)
        return deny(ctx, client, packet, callback, 'publish_denied', 'not authenticated', 'not authenticated');
      const refusal = publishRefusal(principal, packet.topic);
      if (refusal) return deny(ctx, client, packet, callback, 'publish_denied', `publish refused: ${refusal}`, refusal);
      // Only live traffic counts against the bucket; a will is published while the client closes.
      if (principal.type === 'device' && !client.closed && !ctx.rateLimiter.take(client.id))
        return deny(ctx, client, packet, callback, 'rate_limited', 'rate limit exceeded');
    }
    // PROTOCOL.md: the status topic is retained, so a subscriber always learns a device's last state.
    if (packet.topic.endsWith('/status') && parseDeviceTopic(packet.topic)?.kind === 'status') packet.retain = true;
    ctx.metrics.messagesIn.add(packet.topic);

    const stored = storeUpstream(ctx, packet);
    const routed = packet.qos === 1;
    let pending = (stored ? 1 : 0) + (routed ? 1 : 0);
    if (!pending) return callback(null);
    let failed = false;
    const settle = (err?: unknown) => {
      if (failed) return;
      if (err) {
        // No PUBACK without a durable copy: the client is disconnected and will resend.
        failed = true;
        ctx.log.error({ err, clientId: client?.id, topic: packet.topic }, 'storing a message failed');
        return callback(new Error('gateway storage unavailable'));
      }
      if (--pending) return;
      if (stored) ctx.uplink?.notify();
      callback(null);
    };
    stored?.then(
      () => settle(),
      (err: unknown) => settle(err ?? new Error('outbox write failed')),
    );
    if (routed) ctx.routeBeforeAck(packet, client, settle);
  };
}
