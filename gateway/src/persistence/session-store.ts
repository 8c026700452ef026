import { Readable } from 'node:stream';
import type { ClassicLevel } from 'classic-level';
import aedesPersistenceLevel from 'aedes-persistence-level';
import type { Logger } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';

interface QueuedPacket {
  messageId?: number | null;
  dup?: boolean;
}
interface Sub {
  clientId: string;
}
/** The part of the aedes persistence interface this module changes. */
interface SessionPersistence {
  outgoingEnqueueCombi(subs: Sub[], packet: unknown): Promise<unknown>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
  outgoingStream(client: { id: string }): Readable;
}

const OUTGOING = 'outgoing:';

/** A stored messageId means the packet went out before: sending it again is a re-delivery. */
async function* markRedeliveries(packets: AsyncIterable<QueuedPacket>): AsyncGenerator<QueuedPacket> {
  for await (const packet of packets) yield packet.messageId ? { ...packet, dup: true } : packet;
}

/**
 * aedes persistence on the gateway's LevelDB (aedes-persistence-level), with two additions made at the
 * persistence boundary rather than by patching aedes:
 * - each persistent session's queue is bounded (`maxPerClient`): beyond it new messages are not queued for
 *   that client; counted and logged as an error, never silent;
 * - a queued message that was already sent once is re-sent with DUP = 1, as [MQTT-3.3.1-1] requires
 *   (aedes resends it from the session store as a new packet with DUP = 0).
 */
export async function createSessionStore(
  db: ClassicLevel<string, string>,
  options: { maxPerClient: number; metrics: GatewayMetrics; log: Logger },
): Promise<unknown> {
  const inner = aedesPersistenceLevel(db) as SessionPersistence;
  const depth = new Map<string, number>();
  // Keys are `outgoing:<encodeURIComponent(clientId)>:<brokerId>:<counter>`.
  for await (const key of db.keys({ gte: OUTGOING, lt: 'outgoing;' })) {
    const clientId = decodeURIComponent(key.slice(OUTGOING.length, key.indexOf(':', OUTGOING.length)));
    depth.set(clientId, (depth.get(clientId) ?? 0) + 1);
  }
  const publish = () => {
    let total = 0;
    let max = 0;
    for (const n of depth.values()) {
      total += n;
      max = Math.max(max, n);
    }
    options.metrics.sessionQueueDepth.set(total);
    options.metrics.sessionQueueMax.set(max);
  };
  publish();

  const store = Object.create(inner) as SessionPersistence;
  store.outgoingEnqueueCombi = async (subs, packet) => {
    const accepted = subs.filter((sub) => (depth.get(sub.clientId) ?? 0) < options.maxPerClient);
    if (accepted.length < subs.length) {
      const full = subs.filter((sub) => !accepted.includes(sub)).map((sub) => sub.clientId);
      options.metrics.refusals.inc({ reason: 'queue_overflow' }, full.length);
      options.log.error(
        { clients: full, max: options.maxPerClient },
        'persistent session queue full; message not queued',
      );
    }
    const result = await inner.outgoingEnqueueCombi.call(inner, accepted, packet);
    for (const sub of accepted) depth.set(sub.clientId, (depth.get(sub.clientId) ?? 0) + 1);
    publish();
    return result;
  };
  store.outgoingClearMessageId = async (client, packet) => {
    const removed = await inner.outgoingClearMessageId.call(inner, client, packet);
    if (removed) {
      const n = (depth.get(client.id) ?? 1) - 1;
      if (n > 0) depth.set(client.id, n);
      else depth.delete(client.id);
      publish();
    }
    return removed;
  };
  store.outgoingStream = (client) => Readable.from(markRedeliveries(inner.outgoingStream.call(inner, client)));
  return store;
}
