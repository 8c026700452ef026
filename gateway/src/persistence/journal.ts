import type { ClassicLevel } from 'classic-level';
import type { Logger } from '@vigil/core';
import { BatchWriter, KeySequence, type StoreOp } from './batch-writer.js';
import type { StoredMessage } from './stored-message.js';

/**
 * aedes sends PUBACK for a QoS 1 PUBLISH *before* it routes the message into the persistent sessions
 * (lib/handlers/publish.js: write PubAck, then broker.publish). A crash in between would lose a message
 * the device was told is safe. So the gateway journals every QoS ≥ 1 message to disk in
 * `authorizePublish`, which runs before the PUBACK, and removes the entry in `published`, once aedes has
 * stored it for every offline subscriber. Entries left at start-up are replayed: at-least-once, and
 * duplicates are removable downstream by (device, ts, seq).
 */
export class Journal {
  readonly #db: ClassicLevel<string, string>;
  readonly #writer: BatchWriter;
  readonly #keys: KeySequence;
  readonly #log: Logger;
  #depth = 0;

  private constructor(db: ClassicLevel<string, string>, writer: BatchWriter, keys: KeySequence, log: Logger) {
    this.#db = db;
    this.#writer = writer;
    this.#keys = keys;
    this.#log = log;
  }

  static async open(db: ClassicLevel<string, string>, writer: BatchWriter, log: Logger): Promise<Journal> {
    return new Journal(db, writer, await KeySequence.open(db, 'vigil-journal:'), log);
  }

  get depth(): number {
    return this.#depth;
  }

  /** Writes the message (and `extra` ops, e.g. its outbox entry, atomically with it); resolves once on disk. */
  async record(message: StoredMessage, extra: StoreOp[] = []): Promise<string> {
    const key = this.#keys.next();
    await this.#writer.write([{ type: 'put', key, value: JSON.stringify(message) }, ...extra]);
    this.#depth++;
    return key;
  }

  /** The message is routed; its entry can go (not awaited: a crash now only means a harmless replay). */
  settle(key: string): void {
    this.#depth--;
    this.#writer.writeLater([{ type: 'del', key }], (err) => this.#log.error({ err, key }, 'journal delete failed'));
  }

  /** Re-publishes what a crash left unrouted, oldest first, deleting each entry once it is routed. */
  async replay(publish: (message: StoredMessage) => Promise<void>): Promise<number> {
    let count = 0;
    for await (const [key, value] of this.#db.iterator(this.#keys.range())) {
      await publish(JSON.parse(value) as StoredMessage);
      await this.#writer.write([{ type: 'del', key }]);
      count++;
    }
    return count;
  }
}
