import type { PublishPacket } from 'aedes';

/** A message as the uplink outbox keeps it on disk (JSON; payloads are at most 16 KiB). */
export interface StoredMessage {
  topic: string;
  /** base64 */
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** When the gateway accepted it, epoch ms. */
  at: number;
}

export function toStored(packet: PublishPacket, at: number): StoredMessage {
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
  return { topic: packet.topic, payload: payload.toString('base64'), qos: packet.qos, retain: packet.retain, at };
}
