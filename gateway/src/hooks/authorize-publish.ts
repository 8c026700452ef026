import type { Client, PublishPacket } from 'aedes';
import { INTERNAL_TOPICS, parseDeviceTopic } from '@vigil/protocol';
import { publishRefusal } from '../acl/rights.js';
import { topicKindLabel } from '../metrics.js';
import { toStored } from '../persistence/stored-message.js';
import { callTogether } from './call-together.js';
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

/**
 * aedes `authorizePublish`: the topic ACL, the per-device rate limit, then (before aedes may acknowledge)
 * the uplink outbox and, for QoS 1, the message's routing into the persistent sessions (route-before-ack). A refused publish disconnects the client (PROTOCOL.md
 * "Topics"; MQTT 3.1.1 has no negative PUBACK, so closing is the only signal [MQTT-3.3.5-2]).
 */
export function authorizePublishHook(ctx: HookContext) {
  const acknowledge = callTogether();
  return (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void => {
    // A will published for a client that is gone (after a crash) has no principal; it was checked at CONNECT.
    const principal = client ? ctx.principals.get(client) : undefined;
    if (client) {
      if (client.closed && packet === (client as Client & { will?: unknown }).will) ctx.willsPublished.add(client);
      const fields = { clientId: client.id, topic: packet.topic };
      if (!principal) {
        refuse(ctx, 'publish_denied', fields, 'not authenticated');
        return callback(new Error('not authenticated'));
      }
      const refusal = publishRefusal(principal, packet.topic);
      if (refusal) {
        refuse(ctx, 'publish_denied', fields, refusal);
        return callback(new Error(`publish refused: ${refusal}`));
      }
      // Only live traffic counts against the bucket; a will is published while the client closes.
      if (principal.type === 'device' && !client.closed && !ctx.rateLimiter.take(client.id)) {
        refuse(ctx, 'rate_limited', fields);
        return callback(new Error('rate limit exceeded'));
      }
    }
    // PROTOCOL.md: the status topic is retained, so a subscriber always learns a device's last state.
    if (packet.topic.endsWith('/status') && parseDeviceTopic(packet.topic)?.kind === 'status') packet.retain = true;
    ctx.metrics.messagesIn.inc({ kind: topicKindLabel(packet.topic) });

    const stored = storeUpstream(ctx, packet);
    const upstream = stored ? ctx.uplink : null;
    const routed = packet.qos === 1 ? ctx.routeBeforeAck(packet, client) : undefined;
    if (!stored && !routed) return callback(null);
    Promise.all([stored, routed]).then(
      () => {
        upstream?.notify();
        acknowledge(() => callback(null));
      },
      (err: unknown) => {
        // No PUBACK without a durable copy: the client is disconnected and will resend.
        ctx.log.error({ err, clientId: client?.id, topic: packet.topic }, 'storing a message failed');
        callback(new Error('gateway storage unavailable'));
      },
    );
  };
}
