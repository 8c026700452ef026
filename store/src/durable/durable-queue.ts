import type { Logger } from '@vigil/core';
import { isTransientDatabaseError } from './classify.js';
import { Backoff, writeIsolating } from './retry.js';

/** What became of one queued item. */
export type Settled = 'stored' | 'refused' | 'dropped';

export interface DurableQueueOptions<T> {
  /** Writes a batch atomically (one statement or one transaction), in the given order. */
  write(batch: readonly T[]): Promise<void>;
  /** Called for an item the database rejected, alone: dead-letter it or log the refusal. May throw transient. */
  refuse(item: T, err: unknown): Promise<void>;
  log: Logger;
  maxBatch: number;
  /** Wait this long after the first item of an idle queue before writing, to gather a batch (default 0). */
  lingerMs?: number;
  backoff?: { minMs: number; maxMs: number };
  /** Bound on queued items: beyond it the oldest not being written are dropped (default unbounded). */
  maxQueue?: number;
  onDrop?(count: number): void;
  /** Called when the database goes away (false) or is back (true). */
  onHealth?(up: boolean): void;
  onBacklog?(size: number): void;
}

interface Entry<T> {
  item: T;
  settle(outcome: Settled): void;
}

/**
 * The durable-write primitive: an in-order queue written in batches. A transient error (classifyDatabaseError)
 * keeps the batch at the head and retries it with backoff, so order is kept and nothing is lost while the
 * database is away; a rejection splits the batch until the rejected item is alone and hands it to `refuse`,
 * so one bad item never blocks or drops the others.
 */
export class DurableQueue<T> {
  readonly #o: DurableQueueOptions<T>;
  readonly #queue: Entry<T>[] = [];
  readonly #backoff: Backoff;
  /** Items at the head of the queue that belong to the batch being written. */
  #writing = 0;
  #running = false;
  #healthy = true;
  #closed = false;

  constructor(options: DurableQueueOptions<T>) {
    this.#o = options;
    this.#backoff = new Backoff(options.backoff ?? { minMs: 200, maxMs: 5_000 });
  }

  /** Queues the item; resolves once it is stored, refused (rejected for good) or dropped on overflow. */
  push(item: T): Promise<Settled> {
    return new Promise((settle) => {
      this.#queue.push({ item, settle });
      this.#trim();
      this.#o.onBacklog?.(this.#queue.length);
      if (!this.#running && !this.#closed) void this.#pump();
    });
  }

  get backlog(): number {
    return this.#queue.length;
  }

  /** False from a transient failure until the next successful write. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Waits until the queue is empty or the deadline passes, then stops retrying; returns what is left. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.#backoff.wake();
    while (this.#queue.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.#closed = true;
    this.#backoff.wake();
    return this.#queue.length;
  }

  async #pump(): Promise<void> {
    this.#running = true;
    try {
      if (this.#o.lingerMs) await new Promise((resolve) => setTimeout(resolve, this.#o.lingerMs));
      while (this.#queue.length && !this.#closed) {
        const batch = this.#queue.slice(0, this.#o.maxBatch);
        this.#writing = batch.length;
        try {
          await writeIsolating(
            batch,
            (entries) => this.#o.write(entries.map((e) => e.item)),
            async (entry, err) => {
              await this.#refuse(entry.item, err);
              entry.settle('refused');
            },
            (written) => this.#written(written),
          );
          this.#setHealthy(true);
        } catch (err) {
          if (this.#healthy) this.#o.log.error({ err, backlog: this.#queue.length }, 'database write failed; retrying');
          this.#setHealthy(false);
          await this.#backoff.wait();
        } finally {
          this.#writing = 0;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Hands a rejected item to `refuse`; when even that is rejected the item is dropped (logged), not retried. */
  async #refuse(item: T, err: unknown): Promise<void> {
    try {
      await this.#o.refuse(item, err);
    } catch (refuseErr) {
      if (isTransientDatabaseError(refuseErr)) throw refuseErr;
      this.#o.log.error({ err: refuseErr }, 'the refusal could not be recorded either; item dropped');
    }
  }

  /** `written` is a prefix of the queue: stored or refused; take it off the head. */
  #written(written: readonly Entry<T>[]): void {
    this.#queue.splice(0, written.length);
    this.#writing -= written.length;
    for (const entry of written) entry.settle('stored'); // a refused entry is settled already; later calls are no-ops
    this.#o.onBacklog?.(this.#queue.length);
  }

  #trim(): void {
    const max = this.#o.maxQueue;
    if (max === undefined || this.#queue.length <= max) return;
    const dropped = this.#queue.splice(
      this.#writing,
      Math.min(this.#queue.length - max, this.#queue.length - this.#writing),
    );
    for (const entry of dropped) entry.settle('dropped');
    if (dropped.length) this.#o.onDrop?.(dropped.length);
  }

  #setHealthy(healthy: boolean): void {
    if (healthy === this.#healthy) return;
    if (healthy) this.#o.log.info({ backlog: this.#queue.length }, 'database reachable again; flushing');
    this.#healthy = healthy;
    this.#backoff.reset();
    this.#o.onHealth?.(healthy);
  }
}
