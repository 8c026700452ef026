import mqtt, { type MqttClient } from 'mqtt';
import { LAST_WILL_PAYLOAD, deviceTopic } from '@vigil/protocol';
import type { DeviceCredentials, OutgoingMessage } from './sim-device.js';

/** A device's connection to the broker, as the fleet sees it (tests substitute a recording one). */
export interface DeviceLink {
  readonly connected: boolean;
  /** Publishes with QoS 1; resolves on PUBACK. While disconnected, mqtt.js queues it like a device would. */
  publish(message: OutgoingMessage): Promise<void>;
  /** Loses the connection without DISCONNECT, so the broker publishes the Last Will [MQTT-3.1.2-8]. */
  drop(): void;
  /** Connects again after `drop()`. */
  reconnect(): void;
  /** Disconnects cleanly (DISCONNECT; the broker discards the Last Will [MQTT-3.1.2-10]). */
  close(): Promise<void>;
}

export interface LinkEvents {
  connected(): void;
  disconnected(): void;
  /** CONNACK 4 (bad credentials) or 5 (not authorized): the device stops trying. */
  refused(err: Error): void;
  error(err: Error): void;
  /** A message on the device's own command topic (only when the link subscribes to commands). */
  command?(payload: Buffer): void;
}

export type LinkFactory = (device: DeviceCredentials, events: LinkEvents) => DeviceLink;

export interface MqttLinkOptions {
  url: string;
  /** Seconds; PROTOCOL.md requires ≤ 60. */
  keepaliveS?: number;
  reconnectMs?: number;
  connectTimeoutMs?: number;
  /** Subscribe to the device's own command topic (PROTOCOL.md "Topics"; optional for devices). */
  commands?: boolean;
  /** PEM CA of an `mqtts://` gateway (a home kit over the internet). */
  ca?: Buffer;
}

const REFUSED_CODES = new Set([4, 5]);
const CLOSE_TIMEOUT_MS = 2000;

/** A real MQTT 3.1.1 connection per PROTOCOL.md "Connection": clientId = username = device id. */
export function mqttLinkFactory(options: MqttLinkOptions): LinkFactory {
  const keepalive = Math.min(60, options.keepaliveS ?? 30);
  return (device, events) => {
    let client: MqttClient;
    let refused = false;
    const open = () => {
      client = mqtt.connect(options.url, {
        protocolVersion: 4,
        clientId: device.id,
        username: device.id,
        password: device.secret,
        keepalive,
        clean: true,
        // Spread reconnects so a restarted gateway is not hit by every device in the same millisecond.
        reconnectPeriod: Math.round((options.reconnectMs ?? 2000) * (0.75 + Math.random() / 2)),
        reconnectOnConnackError: true,
        connectTimeout: options.connectTimeoutMs ?? 10_000,
        ...(options.ca ? { ca: options.ca, rejectUnauthorized: true } : {}),
        resubscribe: false,
        will: {
          topic: deviceTopic(device.facility, device.id, 'status'),
          payload: Buffer.from(LAST_WILL_PAYLOAD),
          qos: 1,
          retain: true,
        },
      });
      client.on('connect', () => {
        events.connected();
        // A clean session forgets subscriptions, so subscribe on every connect [MQTT-3.1.2-6].
        if (options.commands) client.subscribe(deviceTopic(device.facility, device.id, 'command'), { qos: 1 });
      });
      client.on('message', (_topic, payload) => events.command?.(payload));
      client.on('close', () => events.disconnected());
      client.on('error', (err) => {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number' && REFUSED_CODES.has(code)) {
          refused = true;
          client.end(true);
          events.refused(err);
        } else events.error(err);
      });
    };
    open();
    return {
      get connected() {
        return client.connected;
      },
      publish(message) {
        return new Promise((resolve, reject) => {
          client.publish(message.topic, message.payload, { qos: 1, retain: message.retain }, (err) =>
            err ? reject(err) : resolve(),
          );
        });
      },
      drop() {
        client.end(true);
      },
      reconnect() {
        if (!refused) open();
      },
      async close() {
        const current = client;
        if (!current.connected) return void (await current.endAsync(true));
        // A clean DISCONNECT waits for in-flight QoS 1 messages; a broker that stopped answering must not hang us.
        let timer: NodeJS.Timeout | undefined;
        const stalled = new Promise<void>((resolve) => {
          timer = setTimeout(() => (current.stream.destroy(), resolve()), CLOSE_TIMEOUT_MS);
        });
        await Promise.race([current.endAsync(false), stalled]);
        clearTimeout(timer);
      },
    };
  };
}
