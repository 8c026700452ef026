import type { MqttClient } from 'mqtt';

// PUBACK: fixed header 0x40, remaining length 2, then the message id [MQTT-3.4].
const PUBACK_HEADER = (0x40 << 24) | (2 << 16);

interface Slot {
  messageId: number;
  done: boolean;
}

/**
 * PUBACKs in the order the PUBLISHes arrived [MQTT-4.6.0-2], each once its message's work is done, written
 * together once per turn of the event loop: one write (one syscall, one TCP segment for the broker) instead of
 * one per message, so a committed batch of thousands is acknowledged at once. A new connection drops every
 * PUBACK still due on the old one: the broker redelivers those messages in the resumed session, with ids of the
 * new connection, and an id of the old one must never be acknowledged on the new.
 */
export class AckQueue {
  private slots: Slot[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly client: Pick<MqttClient, 'connected' | 'stream'>) {}

  /** Takes the next place in line; call the returned function once the message's work is done. */
  reserve(messageId: number): () => void {
    const slot: Slot = { messageId, done: false };
    this.slots.push(slot);
    return () => {
      slot.done = true;
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    };
  }

  /** Forgets every PUBACK due on the connection that ended (call on each new connection). */
  reset(): void {
    this.slots = [];
    this.head = 0;
  }

  /** Writes every PUBACK whose message, and all before it, are done. */
  flush(): void {
    this.scheduled = false;
    let end = this.head;
    while (end < this.slots.length && this.slots[end]!.done) end++;
    const count = end - this.head;
    if (count && this.client.connected) {
      const out = Buffer.allocUnsafe(count * 4);
      for (let i = 0; i < count; i++) out.writeUInt32BE(PUBACK_HEADER | this.slots[this.head + i]!.messageId, i * 4);
      this.client.stream.write(out);
    }
    this.head = end;
    if (this.head > 1024 && this.head * 2 > this.slots.length)
      [this.slots, this.head] = [this.slots.slice(this.head), 0];
  }
}
