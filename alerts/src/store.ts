import type pg from 'pg';
import type { Logger } from '@vigil/core';
import { INTERNAL_TOPICS } from '@vigil/protocol';
import { appendAlertEvents, DurableQueue, insertDeadLetters, rejectionReason, type EventWrite } from '@vigil/store';
import type { AlertsMetrics } from './metrics.js';

export type { EventWrite } from '@vigil/store';

/**
 * The durable side of the event log: the store's in-order write queue, one statement with synchronous commit per
 * batch. While the database is unreachable or busy (any transient error) the queue keeps growing (alerting goes on
 * from memory) and the head batch is retried with backoff, then flushed in order; rows are never reordered, so
 * the hash chain stays intact. An event the database rejects for good is kept as a dead letter with the reason.
 */
export class AlertStore {
  readonly #queue: DurableQueue<EventWrite>;

  constructor(pool: pg.Pool, log: Logger, metrics: AlertsMetrics) {
    this.#queue = new DurableQueue<EventWrite>({
      log,
      maxBatch: 64,
      backoff: { minMs: 200, maxMs: 5_000 },
      write: (batch) => appendAlertEvents(pool, batch),
      refuse: async ({ event }, err) => {
        // audit verify will show the gap in the chain; the event itself is kept in dead_letters.
        log.error({ err, eventId: event.eventId }, 'alert event refused by the database; dead-lettered');
        metrics.writeFailures.inc();
        await insertDeadLetters(pool, [
          {
            receivedAt: Date.parse(event.at),
            topic: INTERNAL_TOPICS.alertEvents,
            facility: event.alert.facility,
            device: event.alert.device,
            reason: rejectionReason(err),
            payload: Buffer.from(JSON.stringify(event)),
          },
        ]);
      },
      onHealth: (up) => metrics.databaseUp.set(up ? 1 : 0),
      onBacklog: (size) => metrics.writeBacklog.set(size),
    });
  }

  /** Queues the write; resolves true once committed, false if the database refused it for good. */
  async write(write: EventWrite): Promise<boolean> {
    return (await this.#queue.push(write)) === 'stored';
  }

  get backlog(): number {
    return this.#queue.backlog;
  }

  /** Waits until everything queued is stored, or the deadline passes; returns what is left. */
  drain(timeoutMs: number): Promise<number> {
    return this.#queue.drain(timeoutMs);
  }
}
