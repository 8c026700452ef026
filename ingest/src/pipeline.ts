import { isConnectionError, type Clock, type Logger, type Pool } from '@vigil/core';
import type { WriteMethod } from './config.js';
import type { DeviceDirectory } from './devices.js';
import type { IngestMetrics } from './metrics.js';
import { prepareMessage, topicDeviceId, type Prepared } from './prepare.js';
import { buildRows, type TableName } from './rows.js';
import { writeBatch, type WriteResult } from './writer.js';

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
  prepared: Prepared | null;
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

const MAX_BACKOFF_MS = 5_000;
// Besides a lost connection: too many connections, deadlock, serialisation failure, pool checkout timeout.
const TRANSIENT_CODES = new Set(['53300', '40P01', '40001']);
const isTransient = (err: unknown) =>
  isConnectionError(err) ||
  TRANSIENT_CODES.has((err as { code?: string }).code ?? '') ||
  /timeout exceeded when trying to connect/i.test((err as Error).message ?? '');
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
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #draining = 0;
  #closing = false;
  #databaseUp = true;
  #failures = 0;
  #wake: (() => void) | null = null;
  readonly #stats = { received: 0, committed: 0, deadLetters: 0, rowsInserted: 0, rowsDuplicate: 0 };

  constructor(options: PipelineOptions) {
    this.#o = options;
    options.metrics.databaseUp.set(1);
  }

  /** Takes one message; `next` is called when the caller may deliver the next one (at once unless full). */
  offer(message: Inbound, next: () => void): void {
    if (this.#closing) return; // neither stored nor acknowledged: the broker redelivers it
    const receivedAt = this.#o.clock.now();
    const id = topicDeviceId(message.topic);
    const device = id === null ? null : this.#o.devices.peek(id);
    const prepared =
      device === undefined
        ? null
        : prepareMessage(message.topic, message.payload, receivedAt, device, message.retained);
    this.#queue.push({ ...message, receivedAt, arrivedAt: performance.now(), prepared });
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
      while (this.#queue.length) {
        this.#kick();
        await this.#running;
      }
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
    if (this.#queue.length) this.#o.log.warn({ unwritten: this.#queue.length }, 'closing with unwritten messages');
    this.#queue.length = 0;
    this.#wake?.();
    await this.#running;
  }

  stats(): PipelineStats {
    return {
      ...this.#stats,
      buffered: this.#queue.length,
      paused: this.#held.length > 0,
      databaseUp: this.#databaseUp,
    };
  }

  #due(): boolean {
    const oldest = this.#queue[0];
    if (!oldest) return false;
    if (this.#draining || this.#closing || this.#queue.length >= this.#o.batchSize) return true;
    return performance.now() - oldest.arrivedAt >= this.#o.flushMs;
  }

  #schedule(): void {
    if (this.#running) return;
    if (this.#due()) return this.#kick();
    if (!this.#timer && this.#queue.length) {
      const wait = this.#o.flushMs - (performance.now() - this.#queue[0]!.arrivedAt);
      this.#timer = setTimeout(
        () => {
          this.#timer = null;
          this.#schedule();
        },
        Math.max(1, wait),
      );
    }
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
      this.#schedule();
    });
  }

  async #run(): Promise<void> {
    while (this.#due()) {
      try {
        await this.#flushPrefix(Math.min(this.#o.batchSize, this.#queue.length));
        this.#up();
      } catch (err) {
        if (isTransient(err)) await this.#down(err);
        else {
          // Not expected (rejections are isolated per message): log, back off, retry rather than spin.
          this.#o.log.error({ err }, 'batch write failed');
          await this.#backoff();
        }
        if (this.#closing && !this.#draining) return;
      }
    }
  }

  /** Commits the first `n` queued messages; a batch the database rejects is split to isolate the culprit. */
  async #flushPrefix(n: number): Promise<void> {
    const items = this.#queue.slice(0, n);
    try {
      await this.#commit(items);
    } catch (err) {
      if (isTransient(err)) throw err;
      if (n > 1) {
        this.#o.metrics.writeErrors.inc({ cause: 'rejected' });
        const half = Math.ceil(n / 2);
        await this.#flushPrefix(half);
        await this.#flushPrefix(n - half);
        return;
      }
      const item = items[0]!;
      this.#o.log.error({ err, topic: item.topic }, 'database rejected a message; dead-lettering it');
      const reason = `rejected by the database: ${(err as Error).message}`;
      const parsed = item.prepared?.ok ? item.prepared.device : null;
      item.prepared = {
        ok: false,
        dead: {
          receivedAt: item.receivedAt,
          topic: item.topic,
          facility: parsed?.facility ?? null,
          device: parsed?.id ?? topicDeviceId(item.topic),
          reason,
          payload: item.payload,
        },
      };
      try {
        await this.#commit([item]);
      } catch (deadErr) {
        if (isTransient(deadErr)) throw deadErr;
        // Not even the dead letter can be stored: drop it (acknowledged) rather than block every device.
        this.#o.log.error({ err: deadErr, topic: item.topic }, 'dead letter rejected; message dropped');
        this.#o.metrics.writeErrors.inc({ cause: 'dropped' });
        this.#queue.shift();
        item.ack?.();
        this.#release();
      }
    }
  }

  async #commit(items: Queued[]): Promise<void> {
    const missing = items.filter((item) => !item.prepared).map((item) => topicDeviceId(item.topic) ?? '');
    if (missing.length) await this.#o.devices.load(missing.filter(Boolean));
    const prepared = items.map(
      (item) =>
        (item.prepared ??= prepareMessage(
          item.topic,
          item.payload,
          item.receivedAt,
          this.#o.devices.peek(topicDeviceId(item.topic) ?? '') ?? null,
          item.retained,
        )),
    );
    const started = performance.now();
    const result = await writeBatch(this.#o.pool, this.#o.writeMethod, buildRows(prepared, this.#o.clock.now()));
    const seconds = (performance.now() - started) / 1000;
    this.#o.metrics.flushSeconds.observe(seconds);
    this.#o.log.debug(
      { messages: items.length, ms: Math.round(seconds * 1000), buffered: this.#queue.length },
      'batch committed',
    );
    this.#queue.splice(0, items.length);
    this.#account(items, result);
    for (const item of items) item.ack?.();
    this.#release();
  }

  #account(items: Queued[], result: WriteResult): void {
    const m = this.#o.metrics;
    m.batchSize.observe(items.length);
    m.buffered.set(this.#queue.length);
    for (const item of items) {
      const dead = !item.prepared!.ok;
      if (dead) this.#stats.deadLetters++;
      m.messages.inc({ kind: kindOf(item.topic), outcome: dead ? 'dead_letter' : 'stored' });
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
    this.#failures = 0;
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
    const wait = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.#failures++);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.#wake = () => (clearTimeout(timer), resolve());
    });
    this.#wake = null;
  }
}
