/**
 * One LevelDB record of a client's queue: the messages queued for that client in one group commit, stored
 * together under one key. It is deleted once all of them are acknowledged.
 */
export interface QueueRecord {
  /** Its LevelDB key; the records of one client sort in enqueue order. */
  key: string;
  /** Its messages by position; an acknowledged one leaves a hole. */
  messages: Array<QueuedMessage | undefined>;
  /** How many of them are still queued. */
  pending: number;
  /** Positions whose PUBLISH was replaced by a PUBREL (QoS 2), each stored under `<key>/<position>`. */
  released: number[];
}

/** One message queued for a persistent session: where it is on disk and how aedes names it. */
export interface QueuedMessage {
  record: QueueRecord;
  /** Its position in the record. */
  index: number;
  /** aedes' identity of the message: the broker instance that accepted it and its counter there. */
  brokerId: string | undefined;
  brokerCounter: number | undefined;
  /** The packet identifier it was last sent with, if it was sent by this gateway process. */
  messageId?: number;
  /** Restored from disk after a restart: it may have been sent before the crash (so DUP = 1). */
  maybeSent: boolean;
}

/** The key of the PUBREL that replaced the PUBLISH at `index` of a record; it sorts right after the record. */
export const releaseKey = (recordKey: string, index: number) => `${recordKey}/${String(index).padStart(5, '0')}`;

/**
 * The in-memory index of one client's queued messages (the packets themselves are on disk only): findable
 * by record, by aedes' message identity and by packet identifier in O(1), so a PUBACK costs no disk read
 * however long the queue.
 */
export class OutgoingQueue {
  readonly #records = new Map<string, QueueRecord>();
  /** By broker id, then counter: number keys, no string built per lookup. */
  readonly #byBroker = new Map<string | undefined, Map<number | undefined, QueuedMessage>>();
  readonly #byMessageId = new Map<number, QueuedMessage>();
  /** Messages queued plus those being written; what the per-client bound counts. */
  size = 0;

  add(message: QueuedMessage): void {
    const { record } = message;
    if (!record.pending) this.#records.set(record.key, record);
    record.messages[message.index] = message;
    record.pending++;
    let counters = this.#byBroker.get(message.brokerId);
    if (!counters) this.#byBroker.set(message.brokerId, (counters = new Map()));
    counters.set(message.brokerCounter, message);
  }

  record(key: string): QueueRecord | undefined {
    return this.#records.get(key);
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
    message.record.released.push(message.index);
  }

  /** Removes an acknowledged message; returns its record when that is now empty (to be deleted from disk). */
  remove(message: QueuedMessage): QueueRecord | undefined {
    const { record } = message;
    record.messages[message.index] = undefined;
    this.#byBroker.get(message.brokerId)?.delete(message.brokerCounter);
    if (message.messageId !== undefined && this.#byMessageId.get(message.messageId) === message)
      this.#byMessageId.delete(message.messageId);
    this.size--;
    if (--record.pending) return undefined;
    this.#records.delete(record.key);
    return record;
  }
}
