import type { Duplex } from 'node:stream';
import type { Logger } from '@vigil/core';
import { DEVICE_PUBLISH_KINDS, deviceTopicFilter } from '@vigil/protocol';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { generate } from 'mqtt-packet';
import { IngestBrokerUnavailable } from './errors.js';
import type { IngestMetrics } from './metrics.js';
import type { IngestPipeline } from './pipeline.js';

export interface SubscriberOptions {
  url: string;
  username: string;
  password: string;
  clientId?: string;
  /** Subscribe as `$share/<group>/…` so that several ingest workers split the stream. */
  shareGroup?: string;
  /** How long start-up waits for the first connection before it fails. */
  connectTimeoutMs?: number;
  log: Logger;
  metrics: IngestMetrics;
  pipeline: IngestPipeline;
}

export interface Subscriber {
  connected(): boolean;
  close(): Promise<void>;
}

// Passing an error to mqtt.js's handleMessage callback makes it skip its own PUBACK and go on with the
// next packet; we send the PUBACK ourselves once the message's batch has committed.
const DEFERRED = new Error('puback deferred until the batch commits');

// A batch's PUBACKs are written together: corked until the end of the current tick, then one write (one
// syscall and one TCP segment for the broker to read) instead of one per message.
const corked = new WeakSet<Duplex>();
function writeCorked(stream: Duplex, packet: Buffer): void {
  if (!corked.has(stream)) {
    corked.add(stream);
    stream.cork();
    process.nextTick(() => {
      corked.delete(stream);
      stream.uncork();
    });
  }
  stream.write(packet);
}

/** The subscription filters: every device's reading, event and status topics, in all facilities. */
export function ingestTopics(shareGroup?: string): string[] {
  const prefix = shareGroup ? `$share/${shareGroup}/` : '';
  return DEVICE_PUBLISH_KINDS.map((kind) => prefix + deviceTopicFilter(kind));
}

/**
 * Connects with a persistent session (clean=false, QoS 1) and feeds every message to the pipeline.
 * mqtt.js handles one incoming packet at a time and sends PUBACK when `handleMessage` calls back, so
 * waiting there for a commit would allow one message per transaction. Instead the callback returns at
 * once without a PUBACK, and the pipeline sends each PUBACK after the commit, in the order received
 * [MQTT-4.6.0-2]. A PUBACK that belongs to a connection that has since dropped is not sent: the broker
 * redelivers that message in the resumed session and the unique index absorbs the copy.
 */
export async function connectSubscriber(o: SubscriberOptions): Promise<Subscriber> {
  const log = o.log.child({ module: 'subscriber' });
  const client: MqttClient = mqtt.connect(o.url, {
    clientId: o.clientId ?? o.username,
    username: o.username,
    password: o.password,
    clean: false,
    protocolVersion: 4,
    keepalive: 30,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const stream = client.stream;
    const { messageId } = packet;
    const ack =
      packet.qos > 0 && messageId !== undefined
        ? () => {
            if (client.connected && client.stream === stream)
              writeCorked(stream, generate({ cmd: 'puback', messageId }));
          }
        : null;
    // A copy: the parser's payload may be a view of a larger socket chunk, which a buffered message would pin.
    const payload = Buffer.from(packet.payload);
    o.pipeline.offer({ topic: packet.topic, payload, ack, retained: packet.retain }, () =>
      callback(ack ? DEFERRED : undefined),
    );
  };
  client.on('connect', (connack) => {
    o.metrics.brokerConnected.set(1);
    log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
  });
  client.on('close', () => o.metrics.brokerConnected.set(0));
  client.on('offline', () => log.warn('broker connection lost; reconnecting'));
  client.on('error', (err) => log.warn({ err: err.message }, 'broker connection error'));

  try {
    await firstConnect(client, o.connectTimeoutMs ?? 30_000);
    const granted = await client.subscribeAsync(ingestTopics(o.shareGroup), { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length)
      throw IngestBrokerUnavailable(`subscription refused: ${refused.map((g) => g.topic).join(', ')}`);
  } catch (err) {
    await client.endAsync(true).catch(() => {});
    throw err;
  }
  return {
    connected: () => client.connected,
    close: async () => {
      await client.endAsync();
      o.metrics.brokerConnected.set(0);
    },
  };
}

/** Resolves on the first CONNACK; fails at once when the broker refuses the credentials. */
function firstConnect(client: MqttClient, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done();
    const onError = (err: Error & { code?: number }) => {
      // CONNACK return codes 4 and 5: bad credentials / not authorised. Retrying cannot help.
      if (err.code === 4 || err.code === 5) done(IngestBrokerUnavailable(`broker refused the login: ${err.message}`));
    };
    const timer = setTimeout(
      () => done(IngestBrokerUnavailable(`no connection to the broker within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}
