import type { ClassicLevel } from 'classic-level';
import type { Logger } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';
import { KeySequence, type BatchWriter, type StoreOp } from '@vigil/core';
import type { StoredMessage } from '../persistence/stored-message.js';

/**
 * The uplink's durable queue: every device message bound upstream, in acceptance order, on disk in the
 * gateway's LevelDB (key `vigil-outbox:<counter>`). Entries are appended before the device gets its PUBACK
 * and removed only once the upstream broker acknowledged them.
 * Bounded by `maxEntries`: past it the oldest are dropped, counted, and logged as errors.
 */
export class Outbox {
  readonly #db: ClassicLevel<string, string>;
  readonly #writer: BatchWriter;
  readonly #keys: KeySequence;
  readonly #metrics: GatewayMetrics;
  readonly #log: Logger;
  readonly #maxEntries: number;
  #depth: number;
  #trimming = false;

  private constructor(
    db: ClassicLevel<string, string>,
    writer: BatchWriter,
    keys: KeySequence,
    depth: number,
    options: { metrics: GatewayMetrics; log: Logger; maxEntries: number },
  ) {
    this.#db = db;
    this.#writer = writer;
    this.#keys = keys;
    this.#depth = depth;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#maxEntries = options.maxEntries;
    this.#metrics.outboxDepth.set(depth);
  }

  static async open(
    db: ClassicLevel<string, string>,
    writer: BatchWriter,
    options: { metrics: GatewayMetrics; log: Logger; maxEntries: number },
  ): Promise<Outbox> {
    const keys = await KeySequence.open(db, 'vigil-outbox:');
    let depth = 0;
    for await (const _key of db.keys(keys.range())) depth++;
    return new Outbox(db, writer, keys, depth, options);
  }

  get depth(): number {
    return this.#depth;
  }

  /** The op that appends `message`; the caller writes it. */
  append(message: StoredMessage): StoreOp {
    this.#depth++;
    this.#metrics.outboxDepth.set(this.#depth);
    if (this.#depth > this.#maxEntries) void this.#trim();
    return { type: 'put', key: this.#keys.next(), value: JSON.stringify(message) };
  }

  /** Up to `limit` entries after `afterKey` (from the head when null), oldest first. */
  async read(afterKey: string | null, limit: number): Promise<Array<[string, StoredMessage]>> {
    const range = this.#keys.range();
    const entries = await this.#db
      .iterator({ ...(afterKey ? { gt: afterKey } : { gte: range.gte }), lt: range.lt, limit })
      .all();
    return entries.map(([key, value]) => [key, JSON.parse(value) as StoredMessage]);
  }

  /** Removes acknowledged entries. */
  async remove(keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.#writer.write(keys.map((key) => ({ type: 'del', key })));
    this.#depth = Math.max(0, this.#depth - keys.length);
    this.#metrics.outboxDepth.set(this.#depth);
  }

  /** Sets the oldest-age gauge from the head entry. */
  async measureAge(now: number): Promise<void> {
    const [head] = await this.read(null, 1);
    this.#metrics.outboxAge.set(head ? Math.max(0, (now - head[1].at) / 1000) : 0);
  }

  async #trim(): Promise<void> {
    if (this.#trimming) return;
    this.#trimming = true;
    try {
      const excess = this.#depth - this.#maxEntries;
      if (excess <= 0) return;
      const oldest = await this.#db.keys({ ...this.#keys.range(), limit: excess }).all();
      await this.remove(oldest);
      this.#metrics.outboxDropped.inc(oldest.length);
      this.#log.error({ dropped: oldest.length, max: this.#maxEntries }, 'uplink outbox full: oldest messages dropped');
    } finally {
      this.#trimming = false;
    }
  }
}
