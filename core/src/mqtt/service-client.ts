import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { MqttRefused, MqttSubscriptionRefused, MqttUnreachable } from '../errors.js';
import type { Logger } from '../logger.js';
import { AckQueue } from './ack-queue.js';
import { MQTT_TUNING_DEFAULTS, type MqttTuning } from './config.js';

/** One message from the broker. `ack` (null for QoS 0) sends its PUBACK: call it once the work it causes is done. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  /** Sent because it is retained, on subscription: history rather than news [MQTT-3.3.1-9]. */
  retained: boolean;
  ack: (() => void) | null;
}

/**
 * Takes one message; call `next` when the client may hand over the next one (at once, or later to push back:
 * the broker then keeps the rest in the session). PUBACKs go out in arrival order whatever order `ack`s come in.
 */
export type MessageHandler = (message: MqttMessage, next: () => void) => void;

export interface MqttServiceOptions {
  url: string;
  username: string;
  password: string;
  /** The client id (`durable`), or its prefix (`per-instance`: `<clientId>-<instanceId>`). */
  clientId: string;
  /**
   * `durable`: one queue per client id that outlives the process — the broker keeps what arrives while no
   * instance is connected, and a process with the same id takes the session over (ingest, alerts).
   * `per-instance`: a client id of its own per process, so that every instance receives every message (the api).
   */
  session: 'durable' | 'per-instance';
  /** Suffix of a per-instance client id (default: random). A stable name (host, pod) lets a restart resume. */
  instanceId?: string;
  /** Subscribed at QoS 1, again after a reconnect that found no session. */
  filters: readonly string[];
  /** Filters an older session of this client id may hold: unsubscribed once `filters` are in place. */
  retiredFilters?: readonly string[];
  handler: MessageHandler;
  log: Logger;
  tuning?: Partial<MqttTuning>;
  /** Told true on each CONNACK and false on each lost connection (metrics). */
  onConnectionChange?: (connected: boolean) => void;
  /**
   * MQTT version (default 4 = 3.1.1). 5 for shared subscriptions (`$share/<group>/…` [MQTT-4.8.2]): a durable
   * session then asks the broker to keep it `sessionExpiryS` after a disconnect (default 7 days), since MQTT 5
   * ends a session at disconnect unless told otherwise [MQTT-3.1.2-23].
   */
  protocolVersion?: 4 | 5;
  sessionExpiryS?: number;
  /** PEM CA that signed the broker's certificate, for an `mqtts://` url. */
  ca?: Buffer;
}

/** A connected, subscribed service session (see `connectMqttService`). */
export interface MqttService {
  readonly clientId: string;
  connected(): boolean;
  /** Publishes at QoS 1; `done` is told when the broker acknowledged it, or why not. */
  publish(topic: string, payload: string | Buffer, done: (err?: Error) => void): void;
  /** Sends the PUBACKs that are due and disconnects; a durable session stays at the broker. */
  close(): Promise<void>;
}

// Passing an error to mqtt.js's handleMessage callback makes it skip its own PUBACK and go on with the next packet;
// the AckQueue sends it once the handler's work is done.
const DEFERRED = new Error('puback deferred until the message is handled');
// CONNACK 2, 4, 5 (MQTT 3.1.1): client id rejected, bad credentials, not authorised. 3 (unavailable) may pass.
// MQTT 5's reason codes for the same: 0x85, 0x86, 0x87, and 0x8C (bad authentication method).
const REFUSALS = new Set([2, 4, 5, 0x85, 0x86, 0x87, 0x8c]);
const DEFAULT_SESSION_EXPIRY_S = 7 * 24 * 3600;

/**
 * Connects a persistent session (clean=false) and subscribes at QoS 1, for a service that must not lose a message:
 * each PUBACK is sent only once the handler's work is done, so a crash before that makes the broker redeliver.
 * First connection: waits up to `connectTimeoutMs`, then fails with VIGIL_ERR_MQTT_UNREACHABLE (a service that
 * started without its subscription would take nothing while looking healthy); a refused login fails at once with
 * VIGIL_ERR_MQTT_REFUSED. After that it reconnects for ever, backing off from `reconnectMinMs` to
 * `reconnectMaxMs`, and subscribes again when the broker no longer has the session.
 */
export async function connectMqttService(o: MqttServiceOptions): Promise<MqttService> {
  const tuning = { ...MQTT_TUNING_DEFAULTS, ...o.tuning };
  const clientId =
    o.session === 'durable' ? o.clientId : `${o.clientId}-${o.instanceId ?? randomBytes(4).toString('hex')}`;
  const log = o.log.child({ module: 'mqtt', clientId });
  const client = mqtt.connect(o.url, {
    clientId,
    username: o.username,
    password: o.password,
    clean: false,
    protocolVersion: o.protocolVersion ?? 4,
    ...(o.ca ? { ca: o.ca, rejectUnauthorized: true } : {}),
    ...(o.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: o.sessionExpiryS ?? DEFAULT_SESSION_EXPIRY_S } }
      : {}),
    keepalive: tuning.keepaliveS,
    reconnectPeriod: tuning.reconnectMinMs,
    // One attempt's wait for its CONNACK: a broker that accepted the socket but stays silent is tried again.
    connectTimeout: Math.min(tuning.connectTimeoutMs, 10_000),
    resubscribe: false, // done below, with the SUBACK checked
  });
  const acks = new AckQueue(client);
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const ack = packet.qos > 0 && packet.messageId !== undefined ? acks.reserve(packet.messageId) : null;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    o.handler({ topic: packet.topic, payload, retained: packet.retain === true, ack }, () =>
      callback(ack ? DEFERRED : undefined),
    );
  };

  let attempts = 0;
  let subscribed = false;
  client.on('connect', (connack) => {
    attempts = 0;
    client.options.reconnectPeriod = tuning.reconnectMinMs;
    acks.reset();
    // mqtt-packet writes a PUBLISH in several chunks; with Nagle on, the tail waits for the broker's delayed ACK
    // (40 ms on Linux), which every alert event would pay.
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    o.onConnectionChange?.(true);
    log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
    if (subscribed && !connack.sessionPresent) {
      log.warn('the broker lost our session; subscribing again');
      subscribe(client, o).catch((err) => log.error({ err }, 'subscribing again failed'));
    }
  });
  // Doubling waits with jitter, so that services restarted together do not knock on the broker in step.
  client.on('reconnect', () => {
    const wait = Math.min(tuning.reconnectMaxMs, tuning.reconnectMinMs * 2 ** ++attempts);
    client.options.reconnectPeriod = Math.round(wait * (0.8 + 0.4 * Math.random()));
  });
  client.on('close', () => o.onConnectionChange?.(false));
  client.on('offline', () => log.warn('broker connection lost; reconnecting'));
  client.on('error', (err) => log.warn({ err: { message: err.message } }, 'broker connection error'));

  try {
    await firstConnect(client, o.url, tuning.connectTimeoutMs);
    await subscribe(client, o);
    subscribed = true;
  } catch (err) {
    await client.endAsync(true);
    throw err;
  }
  log.info({ url: o.url, filters: o.filters }, 'subscribed');
  return {
    clientId,
    connected: () => client.connected,
    publish(topic, payload, done) {
      client.publish(topic, payload, { qos: 1 }, (err) => done(err ?? undefined));
    },
    async close() {
      // What was handled is acknowledged now rather than redelivered after a restart; a turn of the event loop
      // first, so that every message whose work is done has been marked.
      await nextTurn();
      acks.flush();
      // A random per-instance id is never used again: without this the broker would queue for it for ever.
      if (o.session === 'per-instance' && o.instanceId === undefined && client.connected)
        await client.unsubscribeAsync([...o.filters]).catch((err) => log.warn({ err }, 'unsubscribe failed'));
      await client.endAsync();
      o.onConnectionChange?.(false);
    },
  };
}

/** Subscribes at QoS 1 and fails when the broker refuses any filter; then drops the retired filters. */
async function subscribe(client: MqttClient, o: MqttServiceOptions): Promise<void> {
  const granted = await client.subscribeAsync([...o.filters], { qos: 1 });
  // 0x80 in MQTT 3.1.1; MQTT 5's failure reason codes are all 0x80 or above [MQTT-3.9.3].
  const refused = granted.filter((g) => g.qos >= 0x80).map((g) => g.topic);
  if (refused.length)
    throw MqttSubscriptionRefused(`the broker refused ${o.username} the subscriptions ${refused.join(', ')}`);
  const retired = (o.retiredFilters ?? []).filter((filter) => !o.filters.includes(filter));
  if (retired.length) await client.unsubscribeAsync(retired);
}

/** Resolves on the first CONNACK; fails at once when the broker refuses the login, or after `timeoutMs`. */
function firstConnect(client: MqttClient, url: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done();
    const onError = (err: Error & { code?: unknown }) => {
      if (typeof err.code === 'number' && REFUSALS.has(err.code))
        done(MqttRefused(`the broker at ${url} refused the login: ${err.message}`, err));
    };
    const timer = setTimeout(
      () => done(MqttUnreachable(`no connection to the broker at ${url} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}

/** How long a handler may keep the event loop before `handleEach` lets it turn (see below). */
export const YIELD_AFTER_MS = 2;

/**
 * A handler for work that ends with a promise (alerts, the api): each message is started as it arrives, one after
 * the other, and acknowledged once its promise settles (a failure is logged, and acknowledged: a message that
 * cannot be handled would otherwise come back for ever). mqtt.js hands over the packets of a socket chunk, and a
 * stream its buffered chunks, without a turn of the event loop, so a backlog would be worked off in one go while
 * timers, commits and other sessions wait; after `YIELD_AFTER_MS` of work in a row the loop turns first.
 */
export function handleEach(work: (message: MqttMessage) => Promise<void>, log: Logger): MessageHandler {
  let since = performance.now();
  return (message, next) => {
    work(message)
      .catch((err) => log.error({ err, topic: message.topic }, 'message handling failed'))
      .finally(() => message.ack?.());
    if (performance.now() - since < YIELD_AFTER_MS) return next();
    setImmediate(() => {
      since = performance.now();
      next();
    });
  };
}
