import mqtt, { type MqttClient } from 'mqtt';
import { LAST_WILL_PAYLOAD, deviceTopic } from '@vigil/protocol';
import type { DeviceLink, LinkEvents, LinkFactory } from './link.js';

export interface SharedLinkOptions {
  url: string;
  /** A service account with role `simulator` (`upsertServiceAccount(db, id, 'simulator')`). */
  username: string;
  password: string;
  /** Connections to spread the devices over (round robin; the gateway handles each in order); default 8. */
  connections?: number;
  keepaliveS?: number;
}

interface Shared {
  client: MqttClient;
  devices: Set<LinkEvents>;
}

/**
 * Many simulated devices over a few connections of one `simulator` service account, which the gateway
 * lets publish on any device's uplink topics. For load runs of thousands of devices: no per-device TCP
 * connection or slow password check. The price: the broker cannot know a device vanished, so `drop()`
 * publishes the Last Will payload itself (retained, like the broker would).
 */
export function sharedLinkFactory(options: SharedLinkOptions): LinkFactory {
  const pool: Shared[] = [];
  let next = 0;
  let open = 0;
  const connection = (): Shared => {
    const size = Math.max(1, options.connections ?? 8);
    if (pool.length < size) {
      const client = mqtt.connect(options.url, {
        protocolVersion: 4,
        clientId: `${options.username}-${pool.length}`,
        username: options.username,
        password: options.password,
        keepalive: Math.min(60, options.keepaliveS ?? 30),
        reconnectPeriod: 2000,
        resubscribe: false,
      });
      const shared: Shared = { client, devices: new Set() };
      client.on('connect', () => shared.devices.forEach((events) => events.connected()));
      client.on('close', () => shared.devices.forEach((events) => events.disconnected()));
      client.on('error', (err) => shared.devices.forEach((events) => events.error(err)));
      pool.push(shared);
    }
    return pool[next++ % pool.length] as Shared;
  };

  return (device, events) => {
    const shared = connection();
    shared.devices.add(events);
    open++;
    if (shared.client.connected) queueMicrotask(() => events.connected());
    const status = deviceTopic(device.facility, device.id, 'status');
    const link: DeviceLink = {
      get connected() {
        return shared.client.connected && shared.devices.has(events);
      },
      publish: (message) =>
        shared.client
          .publishAsync(message.topic, message.payload, { qos: 1, retain: message.retain })
          .then(() => undefined),
      drop() {
        shared.devices.delete(events);
        shared.client.publish(status, LAST_WILL_PAYLOAD, { qos: 1, retain: true });
        queueMicrotask(() => events.disconnected());
      },
      reconnect() {
        shared.devices.add(events);
        if (shared.client.connected) queueMicrotask(() => events.connected());
      },
      async close() {
        shared.devices.delete(events);
        // The last device to close ends the shared connections, cleanly (in-flight messages are acknowledged).
        if (--open === 0) await Promise.all(pool.map((s) => s.client.endAsync(!s.client.connected)));
      },
    };
    return link;
  };
}
