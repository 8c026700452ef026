/** One message queued for a persistent session: where it is on disk and how aedes names it. */
export interface QueuedMessage {
  /** Its LevelDB key; keys of one client sort in enqueue order. */
  key: string;
  /** aedes' identity of the message: the broker instance that accepted it and its counter there. */
  brokerId: string | undefined;
  brokerCounter: number | undefined;
  /** The packet identifier it was last sent with, if it was sent by this gateway process. */
  messageId?: number;
  /** Restored from disk after a restart: it may have been sent before the crash (so DUP = 1). */
  maybeSent: boolean;
}

/**
 * The in-memory index of one client's queued messages (the packets themselves are on disk only): in
 * enqueue order, and findable by aedes' message identity and by packet identifier in O(1), so a PUBACK
 * costs no disk read however long the queue.
 */
export class OutgoingQueue {
  readonly #entries = new Map<string, QueuedMessage>();
  /** By broker id, then counter: number keys, no string built per lookup. */
  readonly #byBroker = new Map<string | undefined, Map<number | undefined, QueuedMessage>>();
  readonly #byMessageId = new Map<number, QueuedMessage>();
  /** Messages queued plus those being written; what the per-client bound counts. */
  size = 0;

  add(message: QueuedMessage): void {
    this.#entries.set(message.key, message);
    let counters = this.#byBroker.get(message.brokerId);
    if (!counters) this.#byBroker.set(message.brokerId, (counters = new Map()));
    counters.set(message.brokerCounter, message);
  }

  get(key: string): QueuedMessage | undefined {
    return this.#entries.get(key);
  }

  byIdentity(brokerId: string | undefined, brokerCounter: number | undefined): QueuedMessage | undefined {
    return brokerId === undefined ? undefined : this.#byBroker.get(brokerId)?.get(brokerCounter);
  }

  byMessageId(messageId: number | undefined): QueuedMessage | undefined {
    return messageId === undefined ? undefined : this.#byMessageId.get(messageId);
  }

  /** The message went out with `messageId` (packet identifiers are reused after 65 535: the newest wins). */
  sent(message: QueuedMessage, messageId: number): void {
    if (message.messageId !== undefined && this.#byMessageId.get(message.messageId) === message)
      this.#byMessageId.delete(message.messageId);
    message.messageId = messageId;
    this.#byMessageId.set(messageId, message);
  }

  /** QoS 2: after PUBREC the queued PUBLISH is replaced by a PUBREL, which has no broker identity. */
  becomesRelease(message: QueuedMessage): void {
    this.#byBroker.get(message.brokerId)?.delete(message.brokerCounter);
    message.brokerId = undefined;
    message.brokerCounter = undefined;
  }

  remove(message: QueuedMessage): void {
    this.#entries.delete(message.key);
    this.#byBroker.get(message.brokerId)?.delete(message.brokerCounter);
    if (message.messageId !== undefined && this.#byMessageId.get(message.messageId) === message)
      this.#byMessageId.delete(message.messageId);
    this.size--;
  }
}
