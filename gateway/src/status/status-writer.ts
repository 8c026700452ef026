import type { Clock, Logger, Queryable } from '@vigil/core';
import { DurableQueue, recordConnectionEvents, type ConnectionEvent } from '@vigil/store';
import type { GatewayMetrics } from '../metrics.js';

export type StatusSource = ConnectionEvent['source'];

const FLUSH_MS = 250;
const MAX_BATCH = 2000;

/**
 * Writes device connect / disconnect / Last-Will rows to `device_status` and the current state of `devices`
 * (through the store's one device-state writer, ordered by time), in batches: a reconnect storm of thousands of
 * devices costs a few statements, and a slow or absent database never delays a CONNACK. Rows wait in the store's
 * durable-write queue (bounded) while the database is away; overflow drops the oldest, counted and logged.
 */
export class StatusWriter {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #queue: DurableQueue<ConnectionEvent>;
  /** Told of every row recorded (the region feed's device status changes). */
  onRecord: ((row: ConnectionEvent) => void) | null = null;

  constructor(db: Queryable, options: { log: Logger; metrics: GatewayMetrics; clock: Clock; maxQueue?: number }) {
    const { log, metrics } = options;
    this.#clock = options.clock;
    this.#log = log;
    this.#queue = new DurableQueue<ConnectionEvent>({
      log,
      maxBatch: MAX_BATCH,
      lingerMs: FLUSH_MS,
      backoff: { minMs: FLUSH_MS, maxMs: FLUSH_MS * 8 },
      maxQueue: options.maxQueue ?? 100_000,
      write: (rows) => recordConnectionEvents(db, rows),
      refuse: async (row, err) => {
        metrics.refusals.inc({ reason: 'status_rejected' });
        log.error({ err, deviceId: row.deviceId, source: row.source }, 'device status row refused by the database');
      },
      onDrop: (dropped) => {
        metrics.refusals.inc({ reason: 'queue_overflow' }, dropped);
        log.error({ dropped }, 'device status queue full; oldest rows dropped');
      },
      onBacklog: (size) => metrics.statusQueueDepth.set(size),
    });
  }

  record(deviceId: string, facility: string, source: StatusSource): void {
    const row = { at: this.#clock.now(), deviceId, facility, source };
    this.onRecord?.(row);
    void this.#queue.push(row);
  }

  /** Writes what is queued for at most `timeoutMs`; what is left is logged as lost. */
  async close(timeoutMs = 2_000): Promise<void> {
    const lost = await this.#queue.drain(timeoutMs);
    if (lost) this.#log.error({ lost }, 'device status rows not written at close');
  }
}
