import { Readable } from 'node:stream';
import type { Client, Subscription } from 'aedes';
import MemoryPersistence from 'aedes-persistence/asyncPersistence.js';
import type { ClassicLevel } from 'classic-level';
import type { Logger } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';
import type { BatchWriter, StoreOp } from '@vigil/core';
import { OutgoingQueue, releaseKey, type QueuedMessage, type QueueRecord } from './outgoing-queue.js';
import { decodeJsonPacket, decodePackets, encodePacket } from './packet-codec.js';

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
/**
 * The on-disk format of the session keys: 3 = binary packets, queued messages in records, aedes' PUBLISH
 * packets with a compact header (2 = the same with JSON headers only, which 3 reads as it is; 1 = JSON, one
 * key per queued message).
 */
const FORMAT_KEY = 'session-format';
const FORMAT = '3';
const FORMAT_JSON_HEADERS = '2';
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
/** A PUBREL's key (`<record key>/<position>`; URI-encoded client ids hold no '/') split at the '/', or null. */
function splitReleaseKey(key: string): [recordKey: string, index: number] | null {
  const cut = key.indexOf('/');
  return cut < 0 ? null : [key.slice(0, cut), Number(key.slice(cut + 1))];
}
const putPacket = (key: string, packet: Packet): StoreOp => ({
  type: 'put',
  key,
  value: encodePacket(packet),
  valueEncoding: 'buffer',
});
const decodePacket = (value: Buffer) => decodePackets<Packet>(value)[0]!;
const asBuffers = { valueEncoding: 'buffer' } as const;
/** What the hot-path methods return when there is nothing to wait for (aedes wants a promise). */
const RESOLVED = Promise.resolve(undefined);

/** The record a client's newly queued messages go to until the session writer's next batch is written. */
interface OpenRecord {
  record: QueueRecord;
  packets: Buffer[];
  written: Promise<void>;
}

/** A queued packet as it is re-sent: with the packet identifier it went out with, and DUP = 1 if it may have. */
function resent(message: QueuedMessage, packet: Packet): Packet {
  if (message.messageId !== undefined) packet.messageId = message.messageId;
  if (message.messageId !== undefined || message.maybeSent) packet.dup = true;
  return packet;
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
 * Compared with aedes-persistence-level (one LevelDB write, and often a read, per operation), the messages
 * queued for a client in one group commit (the store has a group-commit queue of its own) are one record:
 * one put, in a binary format that copies payloads as they are, and one delete once all of them are
 * acknowledged. The packet identifier a message was sent with stays in memory: after a restart every
 * restored message is re-sent with DUP = 1, since it may have gone out before the crash. What a crash
 * re-delivers once more, as QoS 1 allows: every message of a record that still had one outstanding (a
 * record spans one commit, a few milliseconds of traffic), and a record whose delete had not landed (a
 * PUBACK's delete is not awaited).
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
  readonly #open = new Map<string, OpenRecord>();
  readonly #wills = new Map<string, Packet>();
  readonly #incoming = new Map<string, Set<number>>();
  #spare: OutgoingQueue | undefined;
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
    await this.#upgrade();
    await this.#load();
  }

  override async storeRetained(packet: Packet): Promise<void> {
    await super.storeRetained(packet);
    const key = `${RETAINED}${packet.topic}`;
    await this.#write(packet.payload.length ? putPacket(key, packet) : { type: 'del', key });
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

  /**
   * Queues a message for persistent sessions: it joins each client's open record, and the promise is that
   * record's (shared by every message of that commit), so a message costs no promise of its own. The index
   * has the message at once; aedes delivers it, and so can be acknowledged for it, only once it is on disk.
   * If the batch fails, the record's messages leave the index again (OpenRecord).
   */
  override outgoingEnqueueCombi(subs: Array<{ clientId: string }>, packet: Packet): Promise<void> {
    if (!subs?.length) return RESOLVED;
    let value: Buffer | undefined;
    let written: Promise<void> | undefined;
    let more: Set<Promise<void>> | undefined;
    let full: string[] | undefined;
    for (const { clientId } of subs) {
      const queue = this.#queue(clientId);
      if (queue.size >= this.#options.maxPerClient) {
        (full ??= []).push(clientId);
        continue;
      }
      value ??= encodePacket(packet);
      const open = this.#openRecord(clientId, queue);
      const index = open.packets.push(value) - 1;
      queue.size++;
      queue.add({
        record: open.record,
        index,
        brokerId: packet.brokerId,
        brokerCounter: packet.brokerCounter,
        messageId: undefined, // set when sent; present from the start, so every message has one shape
        maybeSent: false,
      });
      this.#queued++;
      if (!written) written = open.written;
      else if (open.written !== written) (more ??= new Set([written])).add(open.written);
    }
    if (full) {
      this.#options.metrics.refusals.inc({ reason: 'queue_overflow' }, full.length);
      this.#options.log.error(
        { clients: full, max: this.#options.maxPerClient },
        'persistent session queue full; message not queued',
      );
    }
    if (more) return Promise.all(more).then(() => undefined);
    return written ?? RESOLVED;
  }

  override outgoingUpdate(client: ClientRef, packet: Packet): Promise<void> {
    const queue = this.#queues.get(client.id);
    const message = queue?.byIdentity(packet.brokerId, packet.brokerCounter);
    if (!queue || !message) return this.#release(queue, packet);
    queue.sent(message, packet.messageId!);
    return RESOLVED;
  }

  /** QoS 2: after PUBREC the PUBREL takes the PUBLISH's place, to be re-sent if the session reconnects. */
  async #release(queue: OutgoingQueue | undefined, packet: Packet): Promise<void> {
    const released = packet.brokerId === undefined ? queue?.byMessageId(packet.messageId) : undefined;
    if (!queue || !released) throw new Error('no such packet');
    if (released.brokerId === undefined) return; // already a PUBREL, re-sent after a reconnect
    queue.becomesRelease(released);
    await this.#write(putPacket(releaseKey(released.record.key, released.index), packet));
  }

  override outgoingClearMessageId(
    client: ClientRef,
    packet: Packet,
  ): Promise<Pick<Packet, 'messageId' | 'brokerId' | 'brokerCounter'> | undefined> {
    const queue = this.#queues.get(client.id);
    const message = queue?.byIdentity(packet.brokerId, packet.brokerCounter) ?? queue?.byMessageId(packet.messageId);
    if (!queue || !message) return RESOLVED;
    this.#remove(client.id, queue, message);
    // What aedes reports in its 'ack' event: which message was acknowledged (not a copy of the packet).
    return Promise.resolve({
      messageId: message.messageId,
      brokerId: message.brokerId,
      brokerCounter: message.brokerCounter,
    });
  }

  /** Takes a message out of the index; returns its record when that is now empty. */
  #unindex(clientId: string, queue: OutgoingQueue, message: QueuedMessage): QueueRecord | undefined {
    const emptied = queue.remove(message);
    if (!queue.size) {
      this.#queues.delete(clientId);
      this.#spare = queue;
    }
    this.#queued--;
    return emptied;
  }

  /** An acknowledged message leaves the index; a record left empty is deleted from disk (not awaited). */
  #remove(clientId: string, queue: OutgoingQueue, message: QueuedMessage): void {
    const emptied = this.#unindex(clientId, queue, message);
    if (!emptied) return;
    const keys = [emptied.key, ...emptied.released.map((index) => releaseKey(emptied.key, index))];
    this.#writer.writeLater(
      keys.map((key) => ({ type: 'del', key })),
      (err) => this.#options.log.error({ err, clientId }, 'session queue delete failed'),
    );
  }

  override outgoingStream(client: ClientRef): Readable {
    return Readable.from(this.#queuedPackets(client.id));
  }

  override async incomingStorePacket(client: ClientRef, packet: Packet): Promise<void> {
    await super.incomingStorePacket(client, packet);
    const ids = this.#incoming.get(client.id) ?? new Set<number>();
    this.#incoming.set(client.id, ids.add(packet.messageId!));
    await this.#write(putPacket(this.#incomingKey(client.id, packet.messageId!), packet));
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
    await this.#write(putPacket(`${WILL}${encodeURIComponent(client.id)}`, packet));
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

  /**
   * The record this client's messages are being collected in: one LevelDB put per client per group commit,
   * however many messages that commit queues for it. The record closes when the writer builds its batch.
   */
  #openRecord(clientId: string, queue: OutgoingQueue): OpenRecord {
    const current = this.#open.get(clientId);
    if (current) return current;
    const sequence = String(++this.#sequence).padStart(16, '0');
    const record: QueueRecord = {
      key: `${clientPrefix(OUT, clientId)}${sequence}`,
      messages: [],
      pending: 0,
      released: [],
    };
    const packets: Buffer[] = [];
    const written = this.#writer.write(() => {
      this.#open.delete(clientId);
      const value = packets.length === 1 ? packets[0]! : Buffer.concat(packets);
      return [{ type: 'put', key: record.key, value, valueEncoding: 'buffer' }];
    });
    // Not on disk, so not queued: the messages leave the index, and aedes fails each publish (no PUBACK).
    written.catch(() => {
      for (const message of record.messages) if (message) this.#unindex(clientId, queue, message);
    });
    const open = { record, packets, written };
    this.#open.set(clientId, open);
    return open;
  }

  /**
   * A client's queue. An emptied queue is dropped, but the last one is kept for the next client that needs
   * one: a subscriber that keeps up empties its queue many times a second, and each new one cost four Maps.
   */
  #queue(clientId: string): OutgoingQueue {
    let queue = this.#queues.get(clientId);
    if (!queue) {
      queue = this.#spare ?? new OutgoingQueue();
      this.#spare = undefined;
      this.#queues.set(clientId, queue);
    }
    return queue;
  }

  /**
   * A reconnecting session's queue, oldest first, read from disk; what was acknowledged meanwhile is skipped.
   * A PUBREL that replaced a PUBLISH comes right after the rest of that PUBLISH's record (its key sorts
   * there): MQTT orders re-sent PUBLISHes among themselves and PUBRELs among themselves [MQTT-4.6.0-1, -3].
   */
  async *#queuedPackets(clientId: string): AsyncGenerator<Packet> {
    const queue = this.#queues.get(clientId);
    if (!queue) return;
    for await (const [key, value] of this.#db.iterator<string, Buffer>({
      ...clientRange(OUT, clientId),
      ...asBuffers,
    })) {
      const release = splitReleaseKey(key);
      if (release) {
        const message = queue.record(release[0])?.messages[release[1]];
        if (message) yield resent(message, decodePacket(value));
        continue;
      }
      const record = queue.record(key);
      if (!record) continue;
      const packets = decodePackets<Packet>(value);
      for (let index = 0; index < packets.length; index++) {
        const message = record.messages[index];
        if (message && !record.released.includes(index)) yield resent(message, packets[index]!);
      }
    }
  }

  #depth(): { total: number; max: number } {
    let max = 0;
    for (const queue of this.#queues.values()) max = Math.max(max, queue.size);
    return { total: this.#queued, max };
  }

  /**
   * Rewrites state written by an earlier gateway in format 1 (JSON, one key per queued message) in one
   * atomic batch: each packet becomes binary, each queued message a record of its own, and a queued PUBREL
   * (which replaced its PUBLISH under the same key) a record plus the PUBREL in its place. Subscriptions
   * stay JSON. A fresh data directory only gets the format key.
   */
  async #upgrade(): Promise<void> {
    const format = await this.#db.get(FORMAT_KEY);
    if (format === FORMAT) return;
    if (format === FORMAT_JSON_HEADERS) return this.#writer.write([{ type: 'put', key: FORMAT_KEY, value: FORMAT }]);
    const ops: StoreOp[] = [];
    for await (const [key, value] of this.#db.iterator({ gte: 'session:', lt: 'session;' })) {
      if (key.startsWith(SUB)) continue;
      const packet = decodeJsonPacket<Packet>(value);
      ops.push(putPacket(key, packet));
      if (key.startsWith(OUT) && packet.cmd === 'pubrel') ops.push(putPacket(releaseKey(key, 0), packet));
    }
    if (ops.length) this.#options.log.info({ keys: ops.length }, 'session store upgraded to format 2');
    await this.#writer.write([...ops, { type: 'put', key: FORMAT_KEY, value: FORMAT }]);
  }

  async #load(): Promise<void> {
    const subs = new Map<string, Sub[]>();
    for await (const [key, value] of this.#db.iterator(prefixRange(SUB))) {
      const [clientId, topic] = splitKey(key, SUB);
      const sub = { ...(JSON.parse(value) as Omit<Sub, 'topic'>), topic } as Sub;
      subs.set(clientId, (subs.get(clientId) ?? []).concat(sub));
    }
    for (const [id, list] of subs) await super.addSubscriptions({ id }, list);
    for await (const value of this.#db.values<string, Buffer>({ ...prefixRange(RETAINED), ...asBuffers }))
      await super.storeRetained(decodePacket(value));
    for await (const value of this.#db.values<string, Buffer>({ ...prefixRange(WILL), ...asBuffers })) {
      const will = decodePacket(value);
      this.#wills.set(will.clientId!, will);
    }
    for await (const [key, value] of this.#db.iterator<string, Buffer>({ ...prefixRange(IN), ...asBuffers })) {
      const [clientId] = splitKey(key, IN);
      const packet = decodePacket(value);
      await super.incomingStorePacket({ id: clientId }, packet);
      this.#incoming.set(clientId, (this.#incoming.get(clientId) ?? new Set()).add(packet.messageId!));
    }
    for await (const [key, value] of this.#db.iterator<string, Buffer>({ ...prefixRange(OUT), ...asBuffers })) {
      const [clientId, rest] = splitKey(key, OUT);
      const queue = this.#queue(clientId);
      const release = splitReleaseKey(key);
      if (release) {
        // A PUBREL that replaced a PUBLISH of the record read just before it.
        const message = queue.record(release[0])?.messages[release[1]];
        if (message) {
          queue.becomesRelease(message);
          queue.sent(message, decodePacket(value).messageId!);
        }
        continue;
      }
      const record: QueueRecord = { key, messages: [], pending: 0, released: [] };
      decodePackets<Packet>(value).forEach((packet, index) => {
        queue.size++;
        queue.add({ record, index, brokerId: packet.brokerId, brokerCounter: packet.brokerCounter, maybeSent: true });
        this.#queued++;
      });
      this.#sequence = Math.max(this.#sequence, Number(rest));
    }
  }
}
