import mqtt, { type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { type Queryable } from '@vigil/core';
import { addDevice, addFacility, upsertServiceAccount } from '@vigil/store';
import { mosquittoPub as publishWithMosquitto } from '../helpers/processes.js';

export interface Credentials {
  id: string;
  secret: string;
}

/** Two facilities; wearables in each, and an ingest service account. */
export async function seedRegistry(db: Queryable) {
  await addFacility(db, { id: 'sunrise', name: 'Sunrise', region: 'north', timezone: 'Europe/Berlin' });
  await addFacility(db, { id: 'harbor', name: 'Harbor', region: 'north', timezone: 'Europe/Berlin' });
  const wb1 = await addDevice(db, { facility: 'sunrise', id: 'wb-1', kind: 'wristband' });
  const wb2 = await addDevice(db, { facility: 'sunrise', id: 'wb-2', kind: 'wristband' });
  const hb1 = await addDevice(db, { facility: 'harbor', id: 'hb-1', kind: 'button' });
  const ingest = await upsertServiceAccount(db, 'ingest-svc', 'ingest');
  return { wb1, wb2, hb1, ingest };
}

/**
 * Connects with mqtt.js (no automatic reconnect); rejects with the CONNACK code on refusal. `onClient` runs
 * before the CONNECT goes out, to attach listeners that must not miss queued messages sent right after CONNACK.
 */
export function connect(
  url: string,
  creds: Credentials | null,
  options: IClientOptions = {},
  onClient?: (client: MqttClient) => void,
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId: creds?.id ?? `anon-${Math.random().toString(36).slice(2)}`,
    ...(creds ? { username: creds.id, password: creds.secret } : {}),
    ...options,
  });
  onClient?.(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** Resolves when the client's connection closes (the broker dropped it). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));
}

export function nextMessage(
  client: MqttClient,
  timeoutMs = 5000,
): Promise<{ topic: string; payload: string; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    client.once('message', (topic, payload, packet) => {
      clearTimeout(timer);
      resolve({ topic, payload: payload.toString(), retain: packet.retain });
    });
  });
}

/** Runs `mosquitto_pub` (a third-party client) and returns its exit code and stderr instead of throwing. */
export async function mosquittoPub(
  port: number,
  creds: Credentials,
  topic: string,
  message: string,
  extra: string[] = [],
) {
  try {
    await publishWithMosquitto({ port, id: creds.id, secret: creds.secret, topic, message, extra });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

export const reading = (seq: number, hr = 72) => JSON.stringify({ seq, ts: Date.now(), hr });

/** Subscribes and returns the SUBACK return codes as sent (mqtt.js turns any 0x80 into an error). */
export function subackCodes(client: MqttClient, topics: string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: Packet) => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve(packet.granted.map(Number));
    };
    client.on('packetreceive', onPacket);
    client.subscribe(topics, { qos: 1 }, () => undefined);
  });
}
