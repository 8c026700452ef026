import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import mqtt, { type IPublishPacket } from 'mqtt';
import type { Logger } from '@vigil/core';
import { deviceTopicFilter } from '@vigil/protocol';

export interface BrokerOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  connectTimeoutMs: number;
}

/**
 * The two persistent sessions of the alerts service. Device events (fall, SOS, alarms) have a session of their own,
 * which also publishes the alert events: under load a fall is then neither queued behind thousands of readings on
 * the broker's way to us nor its event behind their acknowledgements on the way back. Readings and status share
 * the other session, in the order the broker received them: a Last Will is never evaluated before a reading the
 * device sent earlier (which would clear the offline alert it raised).
 */
export const SESSIONS = {
  events: { suffix: '', filters: [deviceTopicFilter('event')] },
  readings: { suffix: '-readings', filters: [deviceTopicFilter('reading'), deviceTopicFilter('status')] },
} as const;

const ALL_FILTERS = Object.values(SESSIONS).flatMap((session) => session.filters);

export interface Session {
  client: mqtt.MqttClient;
  /** Sends the acknowledgements that are due and disconnects (the session stays at the broker). */
  close(): Promise<void>;
}

/** Handles one device message; resolves once the events it caused were handed to the broker. */
export type MessageHandler = (topic: string, payload: Buffer, retained: boolean) => Promise<void>;

// Passing an error to mqtt.js's handleMessage callback makes it skip its own PUBACK and go on with the next packet.
const DEFERRED = new Error('puback deferred until the message is handled');

/**
 * mqtt.js hands over the next packet of a socket chunk on the next tick, and a stream's buffered chunks follow one
 * another without a turn of the event loop: a backlog of readings is handled in one go, for as long as it lasts,
 * while a fall on the other session, the commit of its event and its publication wait. After this much work in a
 * row the session lets the event loop turn (a few times a second at full load; each costs microseconds).
 */
export const YIELD_AFTER_MS = 2;

/**
 * PUBACKs in the order the PUBLISHes arrived [MQTT-4.6.0-2], each once its message was handled, written together
 * once per turn of the event loop (one write instead of one per message). A PUBACK for a connection that has since
 * dropped is not sent: the broker redelivers that message in the resumed session.
 */
export class AckQueue {
  private slots: { messageId: number; stream: Duplex; done: boolean }[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly client: mqtt.MqttClient) {}

  /** Takes the next place in line; call the returned function when the message was handled. */
  reserve(messageId: number): () => void {
    const slot = { messageId, stream: this.client.stream, done: false };
    this.slots.push(slot);
    return () => {
      slot.done = true;
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    };
  }

  /** Writes every PUBACK whose message, and all before it, were handled. */
  flush(): void {
    this.scheduled = false;
    const { client } = this;
    const acks: number[] = [];
    while (this.head < this.slots.length && this.slots[this.head]!.done) {
      const slot = this.slots[this.head++]!;
      if (client.connected && slot.stream === client.stream) acks.push(slot.messageId);
    }
    if (this.head > 1024 && this.head * 2 > this.slots.length)
      [this.slots, this.head] = [this.slots.slice(this.head), 0];
    if (!acks.length) return;
    const out = Buffer.alloc(acks.length * 4);
    acks.forEach((id, i) => out.writeUInt32BE((0x40 << 24) | (2 << 16) | id, i * 4)); // PUBACK, length 2, id
    client.stream.write(out);
  }
}

/**
 * Connects one persistent session (clean=false, QoS 1) and subscribes to `filters`; any other device filter a
 * session of this client id held before (another split, an older version) is unsubscribed after, so no message
 * is handled twice for long and none is missed in between. Messages are handled one after the other as they
 * arrive; their PUBACKs wait for the events they caused, without holding up the messages behind them.
 */
export async function connectSession(
  options: BrokerOptions,
  filters: readonly string[],
  handle: MessageHandler,
  log: Logger,
): Promise<Session> {
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    clean: false, // messages published while we were away are queued by the broker for us
    protocolVersion: 4,
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
  });
  const acks = new AckQueue(client);
  let since = performance.now();
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const ack = packet.qos > 0 && packet.messageId !== undefined ? acks.reserve(packet.messageId) : null;
    // A retained message sent because we subscribed is history, not news [MQTT-3.3.1-8]: update state only.
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    handle(packet.topic, payload, packet.retain === true)
      .catch((err) => log.error({ err, topic: packet.topic }, 'message handling failed'))
      .finally(() => ack?.());
    const next = () => callback(ack ? DEFERRED : undefined);
    if (performance.now() - since < YIELD_AFTER_MS) return next();
    setImmediate(() => {
      since = performance.now();
      next();
    });
  };
  // mqtt-packet writes a PUBLISH in several chunks; with Nagle on, the tail waits for the broker's delayed ACK
  // (40 ms on Linux) — on the safety path, every event would pay it.
  client.on('connect', () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
  client.on('error', (err) => log.warn({ err: { message: err.message } }, 'broker connection error'));
  client.on('offline', () => log.warn('broker offline; reconnecting'));
  try {
    await firstConnect(client, options);
    const granted = await client.subscribeAsync([...filters], { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length) throw new Error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
    const others = ALL_FILTERS.filter((filter) => !filters.includes(filter));
    if (others.length) await client.unsubscribeAsync(others);
  } catch (err) {
    await client.endAsync(true);
    throw err;
  }
  log.info({ url: options.url, clientId: options.clientId, filters }, 'subscribed to device topics');
  return {
    client,
    async close() {
      // What was handled is acknowledged now, not redelivered (and evaluated again) after a restart; a turn of the
      // event loop first, so that every message whose events were handed on has been marked done.
      await nextTurn();
      acks.flush();
      await client.endAsync();
    },
  };
}

function firstConnect(client: mqtt.MqttClient, options: BrokerOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker ${options.url} not reachable`)), options.connectTimeoutMs);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    // A CONNACK refusal (bad credentials, not authorised) will not heal by retrying.
    client.on('error', (err) => {
      if (typeof (err as { code?: unknown }).code === 'number') {
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}
