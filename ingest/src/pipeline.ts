import type { Clock, Logger, Pool } from '@vigil/core';
import {
  Backoff,
  encodeBatch,
  executeBatch,
  isTransientDatabaseError as isTransient,
  type EncodedBatch,
  type TableName,
  type WriteResult,
  rejectionReason,
  writeIsolating,
} from '@vigil/store';
import type { WriteMethod } from './config.js';
import type { DeviceDirectory } from './devices.js';
import type { IngestMetrics } from './metrics.js';
import { parseDeviceTopic } from '@vigil/protocol';
import { prepareMessage, type DeadLetter, type Prepared } from './prepare.js';
import { buildRows } from './rows.js';
import { CANCELLED, WriteLane } from './write-lane.js';

export interface PipelineOptions {
  pool: Pool;
  devices: DeviceDirectory;
  clock: Clock;
  log: Logger;
  metrics: IngestMetrics;
  batchSize: number;
  flushMs: number;
  bufferLimit: number;
  writeMethod: WriteMethod;
  /**
   * Batches submitted at once (default 2): while one is in the database the next is built and waits its
   * turn. They still run one at a time, on one connection at a time, and commit in order.
   */
  maxInFlight?: number;
}

/** One message as received: `ack` sends its PUBACK (null for QoS 0), called only after its batch commits. */
export interface Inbound {
  topic: string;
  payload: Buffer;
  ack: (() => void) | null;
  /** Delivered because it is retained (on subscription), not live [MQTT-3.3.1-9]. */
  retained?: boolean;
}

interface Queued extends Inbound {
  receivedAt: number;
  arrivedAt: number;
  /** Set when the database refused the message: it is written as this dead letter instead. */
  rejected?: DeadLetter;
  /** Whether the last encoding of the message made it a dead letter. */
  dead?: boolean;
}

export interface PipelineStats {
  received: number;
  committed: number;
  deadLetters: number;
  rowsInserted: number;
  rowsDuplicate: number;
  buffered: number;
  paused: boolean;
  databaseUp: boolean;
}

const kindOf = (topic: string) => topic.slice(topic.lastIndexOf('/') + 1);

/**
 * Buffers received messages, writes them in batches (by size, or when the oldest has waited `flushMs`),
 * and acknowledges each one only after its batch has committed, in the order received. While the
 * database is away it keeps retrying; when `bufferLimit` messages are waiting it stops taking new ones
 * (the caller's `next` is held), so the broker keeps the rest in the persistent session.
 */
export class IngestPipeline {
  readonly #o: PipelineOptions;
  readonly #queue: Queued[] = [];
  readonly #held: Array<() => void> = [];
  readonly #lane = new WriteLane();
  readonly #maxInFlight: number;
  /** Messages at the head of the queue that belong to batches submitted to the lane. */
  #sent = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #afterWrite: NodeJS.Immediate | null = null;
  /** Set while a failed batch is retried (or split) outside the lane; nothing else is written meanwhile. */
  #recovering: Promise<void> | null = null;
  #settled: Array<() => void> = [];
  #draining = 0;
  #closing = false;
  #stopped = false;
  #databaseUp = true;
  readonly #retry = new Backoff({ minMs: 100, maxMs: 5_000 });
  readonly #stats = { received: 0, committed: 0, deadLetters: 0, rowsInserted: 0, rowsDuplicate: 0 };

  constructor(options: PipelineOptions) {
    this.#o = options;
    this.#maxInFlight = options.maxInFlight ?? 2;
    options.metrics.databaseUp.set(1);
  }

  /** Takes one message; `next` is called when the caller may deliver the next one (at once unless full). */
  offer(message: Inbound, next: () => void): void {
    if (this.#closing) return; // neither stored nor acknowledged: the broker redelivers it
    // Validation waits for the batch (#encode): parsed messages then live briefly instead of for as long as
    // they wait in the queue, which keeps the garbage collector's work small.
    this.#queue.push({
      topic: message.topic,
      // A copy: the parser's payload may be a view of a larger socket chunk, which a buffered message would pin.
      payload: Buffer.from(message.payload),
      ack: message.ack,
      retained: message.retained,
      receivedAt: this.#o.clock.now(),
      arrivedAt: performance.now(),
    });
    this.#stats.received++;
    this.#o.metrics.buffered.set(this.#queue.length);
    if (this.#queue.length < this.#o.bufferLimit) next();
    else {
      this.#held.push(next);
      this.#o.metrics.paused.set(1);
    }
    this.#schedule();
  }

  /** Writes everything buffered now; resolves when it is committed and acknowledged. */
  async flush(): Promise<void> {
    this.#draining++;
    try {
      // Scheduled once here; each completion schedules the next batch itself (after the lane has moved on).
      this.#schedule();
      while (this.#queue.length && !this.#stopped) await new Promise<void>((resolve) => this.#settled.push(resolve));
    } finally {
      this.#draining--;
    }
  }

  /**
   * Stops taking messages and writes what is buffered, for at most `timeoutMs`; what could not be written
   * stays unacknowledged and is redelivered by the broker to the next session.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.flush(), deadline]);
    clearTimeout(timer);
    this.#stopped = true;
    this.#retry.wake();
    await this.#recovering;
    await this.#lane.idle();
    if (this.#queue.length) this.#o.log.warn({ unwritten: this.#queue.length }, 'closing with unwritten messages');
    this.#queue.length = 0;
    this.#sent = 0;
    this.#notify();
  }

  stats(): PipelineStats {
    return {
      ...this.#stats,
      buffered: this.#queue.length,
      paused: this.#held.length > 0,
      databaseUp: this.#databaseUp,
    };
  }

  /** Is a batch of the messages not yet submitted due: full, old enough, or everything is being flushed? */
  #due(): boolean {
    const unsent = this.#queue.length - this.#sent;
    if (unsent <= 0) return false;
    if (this.#draining || this.#closing || unsent >= this.#o.batchSize) return true;
    return performance.now() - this.#queue[this.#sent]!.arrivedAt >= this.#o.flushMs;
  }

  #schedule(): void {
    if (this.#recovering || this.#stopped) return;
    while (this.#inFlight < this.#maxInFlight && this.#due()) this.#submit();
    if (this.#timer || this.#inFlight >= this.#maxInFlight || this.#queue.length <= this.#sent) return;
    const wait = this.#o.flushMs - (performance.now() - this.#queue[this.#sent]!.arrivedAt);
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#schedule();
      },
      Math.max(1, wait),
    );
  }

  /**
   * Submits the next batch to the lane. Its rows are built now, while earlier batches are in the database;
   * it is written when they have committed. Batches complete in queue order, so the one that completes is
   * always at the head of the queue.
   */
  #submit(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const items = this.#queue.slice(this.#sent, this.#sent + this.#o.batchSize);
    this.#sent += items.length;
    this.#inFlight++;
    this.#lane
      .submit(this.#encode(items), (encoded) => this.#execute(encoded))
      .then(
        (result) => {
          this.#inFlight--;
          this.#sent -= items.length;
          this.#up();
          this.#complete(items, result);
        },
        (err: unknown) => {
          this.#inFlight--;
          this.#sent -= items.length;
          if (err !== CANCELLED) this.#recovering = this.#recover(err);
        },
      );
  }

  /**
   * After a batch failed (and the lane cancelled those behind it): retries the head of the queue outside the
   * lane until it commits (splitting out messages the database rejects), with backoff while the database
   * is away; then normal writing resumes.
   */
  async #recover(first: unknown): Promise<void> {
    let err = first;
    try {
      for (;;) {
        if (isTransient(err)) await this.#down(err);
        await this.#lane.idle();
        if (!this.#queue.length || this.#stopped) return;
        try {
          await this.#flushPrefix(Math.min(this.#o.batchSize, this.#queue.length));
          this.#up();
          return;
        } catch (retryErr) {
          err = retryErr;
          if (!isTransient(err)) {
            // Not expected (rejections are isolated per message): log, back off, retry rather than spin.
            this.#o.log.error({ err }, 'batch write failed');
            await this.#backoff();
          }
        }
      }
    } finally {
      this.#recovering = null;
      this.#notify();
      this.#schedule();
    }
  }

  /** Commits the first `n` queued messages; the store's writeIsolating splits out the ones the database rejects. */
  async #flushPrefix(n: number): Promise<void> {
    await writeIsolating(
      this.#queue.slice(0, n),
      (items) => this.#commit(items),
      (item, err) => this.#deadLetter(item, err),
    );
  }

  /** Writes a message the database rejected as a dead letter with the reason (acknowledged either way). */
  async #deadLetter(item: Queued, err: unknown): Promise<void> {
    this.#o.metrics.writeErrors.inc({ cause: 'rejected' });
    this.#o.log.error({ err, topic: item.topic }, 'database rejected a message; dead-lettering it');
    const topic = parseDeviceTopic(item.topic);
    item.rejected = {
      receivedAt: item.receivedAt,
      topic: item.topic,
      facility: topic?.facility ?? null,
      device: topic?.device ?? null,
      reason: rejectionReason(err),
      payload: item.payload,
    };
    try {
      await this.#commit([item]);
    } catch (deadErr) {
      if (isTransient(deadErr)) throw deadErr;
      // Not even the dead letter can be stored: drop it (acknowledged) rather than block every device.
      this.#o.log.error({ err: deadErr, topic: item.topic }, 'dead letter rejected; message dropped');
      this.#o.metrics.writeErrors.inc({ cause: 'dropped' });
      this.#complete([item], null);
    }
  }

  async #commit(items: readonly Queued[]): Promise<void> {
    this.#complete(items, await this.#execute(await this.#encode(items)));
  }

  /** Validates the messages (loading devices the registry cache lacks, in one query) and renders the batch. */
  async #encode(items: readonly Queued[]): Promise<EncodedBatch> {
    const devices = this.#o.devices;
    const topics = items.map((item) => parseDeviceTopic(item.topic));
    const missing = new Set<string>();
    for (const topic of topics) if (topic && devices.peek(topic.device) === undefined) missing.add(topic.device);
    if (missing.size) await devices.load(missing);
    const prepared = items.map((item, i): Prepared => {
      const topic = topics[i]!;
      const result = item.rejected
        ? { ok: false as const, dead: item.rejected }
        : prepareMessage(
            item.topic,
            item.payload,
            item.receivedAt,
            topic && (devices.peek(topic.device) ?? null),
            item.retained,
            topic,
          );
      item.dead = !result.ok;
      return result;
    });
    return encodeBatch(this.#o.writeMethod, buildRows(prepared, this.#o.clock.now()));
  }

  async #execute(encoded: EncodedBatch): Promise<WriteResult> {
    const started = performance.now();
    const result = await executeBatch(this.#o.pool, encoded);
    const seconds = (performance.now() - started) / 1000;
    this.#o.metrics.flushSeconds.observe(seconds);
    this.#o.log.debug({ ms: Math.round(seconds * 1000), buffered: this.#queue.length }, 'batch committed');
    return result;
  }

  /** The first `items.length` queued messages are stored (or dropped): acknowledge them, in order. */
  #complete(items: readonly Queued[], result: WriteResult | null): void {
    this.#queue.splice(0, items.length);
    if (result) this.#account(items, result);
    for (const item of items) item.ack?.();
    this.#notify();
    // Taking more messages and building the next batch wait for the next turn of the event loop: the lane
    // starts the batch already built first, so the database is not kept waiting for this work.
    if (this.#afterWrite) return;
    this.#afterWrite = setImmediate(() => {
      this.#afterWrite = null;
      this.#release();
      this.#schedule();
    });
  }

  #notify(): void {
    for (const resolve of this.#settled.splice(0)) resolve();
  }

  #account(items: readonly Queued[], result: WriteResult): void {
    const m = this.#o.metrics;
    m.batchSize.observe(items.length);
    m.buffered.set(this.#queue.length);
    // Counted per batch, then one increment per label set: labelled increments are not cheap per message.
    const counts = new Map<string, number>();
    for (const item of items) {
      const key = `${kindOf(item.topic)}/${item.dead ? 'dead_letter' : 'stored'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) {
      const [kind, outcome] = key.split('/') as [string, string];
      if (outcome === 'dead_letter') this.#stats.deadLetters += n;
      m.messages.inc({ kind, outcome }, n);
    }
    this.#stats.committed += items.length;
    for (const table of Object.keys(result.attempted) as TableName[]) {
      const inserted = result.inserted[table];
      const duplicate = result.attempted[table] - inserted;
      if (table !== 'dead_letters') {
        this.#stats.rowsInserted += inserted;
        this.#stats.rowsDuplicate += duplicate;
      }
      if (inserted) m.rows.inc({ table, outcome: 'inserted' }, inserted);
      if (duplicate) m.rows.inc({ table, outcome: 'duplicate' }, duplicate);
    }
  }

  #release(): void {
    while (this.#held.length && this.#queue.length < this.#o.bufferLimit) this.#held.shift()!();
    if (!this.#held.length) this.#o.metrics.paused.set(0);
  }

  #up(): void {
    if (!this.#databaseUp) this.#o.log.info({ buffered: this.#queue.length }, 'database is back; writing resumed');
    this.#databaseUp = true;
    this.#retry.reset();
    this.#o.metrics.databaseUp.set(1);
  }

  async #down(err: unknown): Promise<void> {
    this.#o.metrics.writeErrors.inc({ cause: 'connection' });
    if (this.#databaseUp) {
      this.#o.log.warn(
        { err: (err as Error).message, buffered: this.#queue.length },
        'database unavailable; buffering',
      );
    }
    this.#databaseUp = false;
    this.#o.metrics.databaseUp.set(0);
    await this.#backoff();
  }

  async #backoff(): Promise<void> {
    if (!this.#stopped) await this.#retry.wait();
  }
}
