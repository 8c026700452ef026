import { Readable } from 'node:stream';
import type { Client, Subscription } from 'aedes';
import MemoryPersistence from 'aedes-persistence/asyncPersistence.js';
import type { ClassicLevel } from 'classic-level';
import type { Logger } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';
import type { BatchWriter, StoreOp } from './batch-writer.js';
import { OutgoingQueue } from './outgoing-queue.js';
import { decodePacket, encodePacket } from './packet-codec.js';

/** The fields of an aedes packet this store reads; everything else is stored as it comes. */
interface Packet {
  cmd?: string;
  topic: string;
  payload: Buffer | string;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  messageId?: number;
  brokerId?: string;
  brokerCounter?: number;
  clientId?: string;
}
type ClientRef = Pick<Client, 'id'>;
type Sub = Pick<Subscription, 'topic' | 'qos'> & Record<string, unknown>;

// LevelDB keys. A client id is URI-encoded, so it contains no ':' and `<prefix><id>:` … `<prefix><id>;`
// is exactly one client's range.
const OUT = 'session:out:';
const SUB = 'session:sub:';
const IN = 'session:in:';
const WILL = 'session:will:';
const RETAINED = 'session:ret:';
const clientPrefix = (prefix: string, clientId: string) => `${prefix}${encodeURIComponent(clientId)}:`;
const clientRange = (prefix: string, clientId: string) => {
  const gte = clientPrefix(prefix, clientId);
  return { gte, lt: `${gte.slice(0, -1)};` };
};
const prefixRange = (prefix: string) => ({ gte: prefix, lt: `${prefix.slice(0, -1)};` });
/** Splits `<prefix><encoded id>:<rest>` into the client id and the rest. */
function splitKey(key: string, prefix: string): [clientId: string, rest: string] {
  const end = key.indexOf(':', prefix.length);
  return [decodeURIComponent(key.slice(prefix.length, end)), key.slice(end + 1)];
}

export interface SessionStoreOptions {
  maxPerClient: number;
  metrics: GatewayMetrics;
  log: Logger;
}

/**
 * The aedes persistence of the gateway: every piece of session state (subscriptions, queued QoS 1/2
 * messages, inbound QoS 2 packets, wills, retained messages) is written to the gateway's LevelDB through
 * the group-committing BatchWriter before aedes is told it is stored, and is served from memory. Queued
 * messages keep only a small index in memory (OutgoingQueue); their packets are read back from disk
 * only when a persistent session reconnects. Everything is loaded at start-up, so a `kill -9` loses
 * nothing aedes was told is stored.
 *
 * Compared with aedes-persistence-level (one LevelDB write, and often a read, per operation), a message
 * to a persistent subscriber costs one put when queued and one delete when acknowledged, each grouped
 * with the other session writes of the same event-loop turn (the store has a group-commit queue of its
 * own). The packet identifier a message was sent with stays in memory: after a restart every restored
 * message is re-sent with DUP = 1, since it may have gone out before the crash. A PUBACK's delete is not
 * awaited: a crash before it lands re-delivers the message once more, which QoS 1 allows.
 *
 * Also here rather than in aedes: each session's queue is bounded (`maxPerClient`; beyond it a message is
 * not queued for that client, counted and logged as an error, never silent), and queued messages that
 * were sent before are re-sent with DUP = 1 [MQTT-3.3.1-1] (aedes resends them with DUP = 0).
 */
export class SessionStore extends MemoryPersistence {
  readonly #db: ClassicLevel<string, string>;
  readonly #writer: BatchWriter;
  readonly #options: SessionStoreOptions;
  readonly #queues = new Map<string, OutgoingQueue>();
  readonly #wills = new Map<string, Packet>();
  readonly #incoming = new Map<string, Set<number>>();
  #brokerId = '';
  #sequence = 0;
  #queued = 0;

  constructor(db: ClassicLevel<string, string>, writer: BatchWriter, options: SessionStoreOptions) {
    super();
    this.#db = db;
    this.#writer = writer;
    this.#options = options;
    options.metrics.probes.sessionQueues = () => this.#depth();
  }

  override async setup(broker: { id: string }): Promise<void> {
    await super.setup(broker);
    this.#brokerId = broker.id;
    await this.#load();
  }

  override async storeRetained(packet: Packet): Promise<void> {
    await super.storeRetained(packet);
    const key = `${RETAINED}${packet.topic}`;
    await this.#write(packet.payload.length ? { type: 'put', key, value: encodePacket(packet) } : { type: 'del', key });
  }

  override async addSubscriptions(client: ClientRef, subs: Sub[]): Promise<void> {
    await super.addSubscriptions(client, subs);
    await this.#writer.write(
      subs.map(({ topic, ...sub }) => ({
        type: 'put',
        key: `${clientPrefix(SUB, client.id)}${topic}`,
        value: JSON.stringify(sub),
      })),
    );
  }

  override async removeSubscriptions(client: ClientRef, topics: string[]): Promise<void> {
    await super.removeSubscriptions(client, topics);
    await this.#writer.write(topics.map((topic) => ({ type: 'del', key: `${clientPrefix(SUB, client.id)}${topic}` })));
  }

  override async cleanSubscriptions(client: ClientRef): Promise<void> {
    const topics = (await super.subscriptionsByClient(client)).map((sub) => sub.topic);
    await super.cleanSubscriptions(client);
    await this.#writer.write(topics.map((topic) => ({ type: 'del', key: `${clientPrefix(SUB, client.id)}${topic}` })));
  }

  override outgoingEnqueue(sub: { clientId: string }, packet: Packet): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  override async outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: Packet): Promise<void> {
    if (!subs?.length) return;
    const queues: Array<[string, OutgoingQueue]> = [];
    const full: string[] = [];
    for (const { clientId } of subs) {
      const queue = this.#queue(clientId);
      if (queue.size >= this.#options.maxPerClient) full.push(clientId);
      else {
        queue.size++;
        queues.push([clientId, queue]);
      }
    }
    if (full.length) {
      this.#options.metrics.refusals.inc({ reason: 'queue_overflow' }, full.length);
      this.#options.log.error(
        { clients: full, max: this.#options.maxPerClient },
        'persistent session queue full; message not queued',
      );
    }
    if (!queues.length) return;
    const value = encodePacket(packet);
    const messages = queues.map(([clientId]) => ({
      key: `${clientPrefix(OUT, clientId)}${String(++this.#sequence).padStart(16, '0')}`,
      brokerId: packet.brokerId,
      brokerCounter: packet.brokerCounter,
      maybeSent: false,
    }));
    try {
      await this.#writer.write(messages.map(({ key }) => ({ type: 'put', key, value })));
    } catch (err) {
      for (const [, queue] of queues) queue.size--;
      throw err;
    }
    messages.forEach((message, i) => queues[i]![1].add(message));
    this.#queued += messages.length;
  }

  override async outgoingUpdate(client: ClientRef, packet: Packet): Promise<void> {
    const queue = this.#queues.get(client.id);
    const message = queue?.byIdentity(packet.brokerId, packet.brokerCounter);
    if (queue && message) return queue.sent(message, packet.messageId!);
    // QoS 2: after PUBREC the PUBREL takes the PUBLISH's place, to be re-sent if the session reconnects.
    const released = packet.brokerId === undefined ? queue?.byMessageId(packet.messageId) : undefined;
    if (!queue || !released) throw new Error('no such packet');
    if (released.brokerId === undefined) return; // already a PUBREL, re-sent after a reconnect
    queue.becomesRelease(released);
    await this.#write({ type: 'put', key: released.key, value: encodePacket(packet) });
  }

  override async outgoingClearMessageId(
    client: ClientRef,
    packet: Packet,
  ): Promise<Pick<Packet, 'messageId' | 'brokerId' | 'brokerCounter'> | undefined> {
    const queue = this.#queues.get(client.id);
    const message = queue?.byIdentity(packet.brokerId, packet.brokerCounter) ?? queue?.byMessageId(packet.messageId);
    if (!queue || !message) return undefined;
    queue.remove(message);
    if (!queue.size) this.#queues.delete(client.id);
    this.#queued--;
    this.#writer.writeLater([{ type: 'del', key: message.key }], (err) =>
      this.#options.log.error({ err, clientId: client.id }, 'session queue delete failed'),
    );
    // What aedes reports in its 'ack' event: which message was acknowledged (not a copy of the packet).
    return {
      messageId: message.messageId,
      brokerId: message.brokerId,
      brokerCounter: message.brokerCounter,
    };
  }

  override outgoingStream(client: ClientRef): Readable {
    return Readable.from(this.#queuedPackets(client.id));
  }

  override async incomingStorePacket(client: ClientRef, packet: Packet): Promise<void> {
    await super.incomingStorePacket(client, packet);
    const ids = this.#incoming.get(client.id) ?? new Set<number>();
    this.#incoming.set(client.id, ids.add(packet.messageId!));
    await this.#write({
      type: 'put',
      key: this.#incomingKey(client.id, packet.messageId!),
      value: encodePacket(packet),
    });
  }

  override async incomingDelPacket(client: ClientRef, packet: Packet): Promise<void> {
    await super.incomingDelPacket(client, packet);
    this.#incoming.get(client.id)?.delete(packet.messageId!);
    await this.#write({ type: 'del', key: this.#incomingKey(client.id, packet.messageId!) });
  }

  override async cleanIncoming(client: ClientRef): Promise<void> {
    await super.cleanIncoming(client);
    const ids = this.#incoming.get(client.id);
    this.#incoming.delete(client.id);
    if (ids?.size)
      await this.#writer.write([...ids].map((id) => ({ type: 'del', key: this.#incomingKey(client.id, id) })));
  }

  // Wills are kept here, not in MemoryPersistence, because a will restored from disk must keep the id of the
  // broker instance that stored it: aedes publishes the wills of broker instances that are gone (streamWill).
  override async putWill(client: ClientRef, packet: Packet): Promise<void> {
    packet.brokerId = this.#brokerId;
    packet.clientId = client.id;
    this.#wills.set(client.id, packet);
    await this.#write({ type: 'put', key: `${WILL}${encodeURIComponent(client.id)}`, value: encodePacket(packet) });
  }

  override async getWill(client: ClientRef): Promise<Packet | undefined> {
    return this.#wills.get(client.id);
  }

  override async delWill(client: ClientRef): Promise<Packet | undefined> {
    const will = this.#wills.get(client.id);
    if (!will) return undefined;
    this.#wills.delete(client.id);
    await this.#write({ type: 'del', key: `${WILL}${encodeURIComponent(client.id)}` });
    return will;
  }

  override streamWill(brokers: Record<string, unknown> = {}): Readable {
    return Readable.from([...this.#wills.values()].filter((will) => !brokers[will.brokerId!]));
  }

  #write(op: StoreOp): Promise<void> {
    return this.#writer.write([op]);
  }

  #incomingKey(clientId: string, messageId: number): string {
    return `${clientPrefix(IN, clientId)}${String(messageId).padStart(5, '0')}`;
  }

  #queue(clientId: string): OutgoingQueue {
    let queue = this.#queues.get(clientId);
    if (!queue) this.#queues.set(clientId, (queue = new OutgoingQueue()));
    return queue;
  }

  /** A reconnecting session's queue, oldest first, read from disk; what was acknowledged meanwhile is skipped. */
  async *#queuedPackets(clientId: string): AsyncGenerator<Packet> {
    const queue = this.#queues.get(clientId);
    if (!queue) return;
    for await (const [key, value] of this.#db.iterator(clientRange(OUT, clientId))) {
      const message = queue.get(key);
      if (!message) continue;
      const packet = decodePacket<Packet>(value);
      if (message.messageId !== undefined) packet.messageId = message.messageId;
      if (message.messageId !== undefined || message.maybeSent) packet.dup = true;
      yield packet;
    }
  }

  #depth(): { total: number; max: number } {
    let max = 0;
    for (const queue of this.#queues.values()) max = Math.max(max, queue.size);
    return { total: this.#queued, max };
  }

  async #load(): Promise<void> {
    const subs = new Map<string, Sub[]>();
    for await (const [key, value] of this.#db.iterator(prefixRange(SUB))) {
      const [clientId, topic] = splitKey(key, SUB);
      const sub = { ...(JSON.parse(value) as Omit<Sub, 'topic'>), topic } as Sub;
      subs.set(clientId, (subs.get(clientId) ?? []).concat(sub));
    }
    for (const [id, list] of subs) await super.addSubscriptions({ id }, list);
    for await (const value of this.#db.values(prefixRange(RETAINED)))
      await super.storeRetained(decodePacket<Packet>(value));
    for await (const value of this.#db.values(prefixRange(WILL))) {
      const will = decodePacket<Packet>(value);
      this.#wills.set(will.clientId!, will);
    }
    for await (const [key, value] of this.#db.iterator(prefixRange(IN))) {
      const [clientId] = splitKey(key, IN);
      const packet = decodePacket<Packet>(value);
      await super.incomingStorePacket({ id: clientId }, packet);
      this.#incoming.set(clientId, (this.#incoming.get(clientId) ?? new Set()).add(packet.messageId!));
    }
    for await (const [key, value] of this.#db.iterator(prefixRange(OUT))) {
      const [clientId, sequence] = splitKey(key, OUT);
      const packet = decodePacket<Packet>(value);
      const queue = this.#queue(clientId);
      queue.size++;
      const message = { key, brokerId: packet.brokerId, brokerCounter: packet.brokerCounter, maybeSent: true };
      queue.add(message);
      if (packet.cmd === 'pubrel') queue.sent(message, packet.messageId!);
      this.#sequence = Math.max(this.#sequence, Number(sequence));
      this.#queued++;
    }
  }
}
