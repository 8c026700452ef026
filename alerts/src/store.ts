import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { isConnectionError, type Logger } from '@vigil/core';
import type { Alert, AlertEvent } from '@vigil/protocol';
import type { AlertsMetrics } from './metrics.js';

/** One event to make durable: its alert row (as after the event), its chained row, and the command it answers. */
export interface EventWrite {
  event: AlertEvent;
  prevHash: Buffer | null;
  hash: Buffer;
  /** The `alert_commands` row this event answers: marked processed in the same transaction. */
  commandId?: number;
}

interface Pending extends EventWrite {
  resolve(stored: boolean): void;
}

const MAX_BATCH = 64;
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5_000;

const UPSERT_ALERT = `
  INSERT INTO alerts (id, facility_id, rule, priority, status, subject, resident_id, device_id, location_id, detail,
    drill, escalation_level, raised_at, occurred_at, last_seen_at, acknowledged_at, acknowledged_by, resolved_at,
    resolved_by, outcome, note)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
  ON CONFLICT (id) DO UPDATE SET priority = EXCLUDED.priority, status = EXCLUDED.status, detail = EXCLUDED.detail,
    escalation_level = EXCLUDED.escalation_level, last_seen_at = EXCLUDED.last_seen_at,
    acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by,
    resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by, outcome = EXCLUDED.outcome,
    note = EXCLUDED.note`;

// ON CONFLICT DO NOTHING: a batch retried after a connection lost during COMMIT may already be stored.
const INSERT_EVENT = `
  INSERT INTO alert_events (id, alert_id, facility_id, type, at, actor, data, prev_hash, hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`;

const alertParams = (a: Alert) => [
  a.id,
  a.facility,
  a.rule,
  a.priority,
  a.status,
  a.subject,
  a.resident,
  a.device,
  a.location,
  a.detail,
  a.drill,
  a.escalationLevel,
  a.raisedAt,
  a.occurredAt,
  a.lastSeenAt,
  a.acknowledgedAt,
  a.acknowledgedBy,
  a.resolvedAt,
  a.resolvedBy,
  a.outcome,
  a.note,
];

/**
 * The durable side of the event log: an in-order write queue. Each batch is one transaction with synchronous
 * commit. While the database is unreachable the queue keeps growing (alerting goes on from memory) and is
 * retried with backoff, then flushed in order; rows are never reordered, so the hash chain stays intact.
 */
export class AlertStore {
  private readonly queue: Pending[] = [];
  private running = false;
  private healthy = true;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly metrics: AlertsMetrics,
  ) {}

  /** Queues the write; resolves true once committed, false if the database refused it for good. */
  write(write: EventWrite): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.push({ ...write, resolve });
      this.metrics.writeBacklog.set(this.queue.length);
      if (!this.running) void this.pump();
      else this.wake?.();
    });
  }

  get backlog(): number {
    return this.queue.length;
  }

  get databaseReachable(): boolean {
    return this.healthy;
  }

  /** Waits until everything queued is stored, or the deadline passes; returns what is left. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length && Date.now() < deadline) await sleep(20);
    this.closed = true;
    this.wake?.();
    return this.queue.length;
  }

  private async pump(): Promise<void> {
    this.running = true;
    let delay = RETRY_MIN_MS;
    let batchSize = MAX_BATCH;
    try {
      while (this.queue.length && !this.closed) {
        const batch = this.queue.slice(0, batchSize);
        try {
          await this.commit(batch);
          this.queue.splice(0, batch.length);
          for (const item of batch) item.resolve(true);
          this.metrics.writeBacklog.set(this.queue.length);
          if (!this.healthy) this.log.info({ backlog: this.queue.length }, 'database reachable again; flushing');
          this.setHealthy(true);
          delay = RETRY_MIN_MS;
          batchSize = MAX_BATCH;
        } catch (err) {
          if (isConnectionError(err)) {
            if (this.healthy)
              this.log.error({ err, backlog: this.queue.length }, 'database unreachable; alerting from memory');
            this.setHealthy(false);
            await this.pause(delay);
            delay = Math.min(delay * 2, RETRY_MAX_MS);
          } else if (batch.length > 1) {
            batchSize = 1; // find the one write the database refuses, keep the others
          } else {
            // Refused for good (e.g. a constraint): keep the queue moving. audit verify will show the gap.
            this.log.error({ err, eventId: batch[0]!.event.eventId }, 'alert event refused by the database');
            this.metrics.writeFailures.inc();
            this.queue.shift();
            batch[0]!.resolve(false);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = on');
      for (const { event, prevHash, hash, commandId } of batch) {
        await client.query(UPSERT_ALERT, alertParams(event.alert));
        await client.query(INSERT_EVENT, [
          event.eventId,
          event.alert.id,
          event.alert.facility,
          event.event,
          event.at,
          event.actor,
          JSON.stringify(event.alert),
          prevHash,
          hash,
        ]);
        if (commandId !== undefined) {
          await client.query('UPDATE alert_commands SET processed_at = now(), alert_id = $2 WHERE id = $1', [
            commandId,
            event.alert.id,
          ]);
        }
      }
      await client.query('COMMIT');
    } catch (err) {
      broken = isConnectionError(err);
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private setHealthy(healthy: boolean): void {
    this.healthy = healthy;
    this.metrics.databaseUp.set(healthy ? 1 : 0);
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = null));
  }
}
