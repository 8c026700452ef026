import type { Clock, Logger, Queryable } from '@vigil/core';
import type { GatewayMetrics } from '../metrics.js';

export type StatusSource = 'connect' | 'disconnect' | 'will';

interface StatusRow {
  at: number;
  deviceId: string;
  facility: string;
  source: StatusSource;
  online: boolean;
}

const FLUSH_MS = 250;
const MAX_BATCH = 2000;

/**
 * Writes device connect / disconnect / Last-Will rows to `device_status` and the current state to
 * `devices.online/last_seen_at`, in batches: a reconnect storm of thousands of devices costs a few
 * statements, and a slow or absent database never delays a CONNACK. Rows wait (bounded) while the database
 * is down; overflow drops the oldest rows, counted and logged as an error.
 */
export class StatusWriter {
  readonly #db: Queryable;
  readonly #log: Logger;
  readonly #metrics: GatewayMetrics;
  readonly #clock: Clock;
  readonly #maxQueue: number;
  #queue: StatusRow[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;

  constructor(db: Queryable, options: { log: Logger; metrics: GatewayMetrics; clock: Clock; maxQueue?: number }) {
    this.#db = db;
    this.#log = options.log;
    this.#metrics = options.metrics;
    this.#clock = options.clock;
    this.#maxQueue = options.maxQueue ?? 100_000;
  }

  record(deviceId: string, facility: string, source: StatusSource): void {
    this.#queue.push({ at: this.#clock.now(), deviceId, facility, source, online: source === 'connect' });
    if (this.#queue.length > this.#maxQueue) {
      const dropped = this.#queue.splice(0, this.#queue.length - this.#maxQueue);
      this.#metrics.refusals.inc({ reason: 'queue_overflow' }, dropped.length);
      this.#log.error({ dropped: dropped.length }, 'device status queue full; oldest rows dropped');
    }
    this.#metrics.statusQueueDepth.set(this.#queue.length);
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes everything queued; on failure the rows stay queued and a retry is scheduled. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#flushing) await this.#flushing;
    if (!this.#queue.length) return;
    const rows = this.#queue.splice(0, MAX_BATCH);
    this.#flushing = this.#write(rows).then(
      () => {
        this.#metrics.statusQueueDepth.set(this.#queue.length);
        if (this.#queue.length) this.#timer ??= setTimeout(() => void this.flush(), 0);
      },
      (err: unknown) => {
        this.#queue.unshift(...rows);
        this.#log.warn({ err, queued: this.#queue.length }, 'device status write failed; will retry');
        this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS * 8);
      },
    );
    await this.#flushing;
    this.#flushing = null;
  }

  /** Stops the timer after a last flush attempt (rows the database refuses now are logged, not kept). */
  async close(): Promise<void> {
    await this.flush();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#queue.length) this.#log.error({ lost: this.#queue.length }, 'device status rows not written at close');
  }

  async #write(rows: StatusRow[]): Promise<void> {
    const times = rows.map((r) => new Date(r.at));
    await this.#db.query(
      `INSERT INTO device_status (time, device_id, facility_id, source, online)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::boolean[])
       ON CONFLICT DO NOTHING`,
      [
        times,
        rows.map((r) => r.deviceId),
        rows.map((r) => r.facility),
        rows.map((r) => r.source),
        rows.map((r) => r.online),
      ],
    );
    // The last event of each device in this batch (queue order, not clock order) is its current state.
    const last = new Map(rows.map((r) => [r.deviceId, r]));
    const current = [...last.values()];
    await this.#db.query(
      `UPDATE devices d SET online = u.online, last_seen_at = greatest(d.last_seen_at, u.at)
       FROM unnest($1::text[], $2::boolean[], $3::timestamptz[]) AS u(id, online, at) WHERE d.id = u.id`,
      [current.map((r) => r.deviceId), current.map((r) => r.online), current.map((r) => new Date(r.at))],
    );
  }
}
