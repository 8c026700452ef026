import type { Queryable } from '@vigil/core';

export const DELIVERY_REASONS = ['offered', 'escalated', 'family'] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];
export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

export interface Delivery {
  id: number;
  endpoint: number;
  workOrder: string;
  reason: DeliveryReason;
  status: DeliveryStatus;
  attempts: number;
  nextAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

const COLUMNS = `id::int AS id, endpoint_id::int AS endpoint, work_order_id AS "workOrder", reason, status, attempts,
  next_at AS "nextAt", last_error AS "lastError", created_at AS "createdAt", sent_at AS "sentAt"`;

export interface NewDelivery {
  endpoint: number;
  workOrder: string;
  reason: DeliveryReason;
  /** `suppressed`: recorded, never sent (quiet hours, preferences). */
  status: 'pending' | 'suppressed';
  lastError?: string;
}

/** Records deliveries to make (or withheld), once each: a repeated (endpoint, order, reason) is ignored. */
export async function queueDeliveries(db: Queryable, items: NewDelivery[], at: Date): Promise<void> {
  if (!items.length) return;
  await db.query(
    `INSERT INTO notification_deliveries (endpoint_id, work_order_id, reason, status, last_error, next_at, created_at)
     SELECT x.endpoint, x."workOrder", x.reason, x.status, x."lastError", $2, $2
     FROM jsonb_to_recordset($1::jsonb) AS x (endpoint bigint, "workOrder" uuid, reason text, status text, "lastError" text)
     ON CONFLICT (endpoint_id, work_order_id, reason) DO NOTHING`,
    [JSON.stringify(items), at],
  );
}

/** Pending deliveries due at `at`, oldest first. */
export async function dueDeliveries(
  db: Queryable,
  at: Date,
  facility: string | null = null,
  limit = 100,
): Promise<Delivery[]> {
  const { rows } = await db.query<Delivery>(
    `SELECT ${COLUMNS} FROM notification_deliveries WHERE status = 'pending' AND next_at <= $1
       AND ($3::text IS NULL OR work_order_id IN (SELECT id FROM work_orders WHERE facility_id = $3))
     ORDER BY next_at, id LIMIT $2`,
    [at, limit, facility],
  );
  return rows;
}

/** Records one attempt: sent, failed for good, or to be tried again at `retryAt`. */
export async function recordAttempt(
  db: Queryable,
  id: number,
  outcome: { sent: true; at: Date } | { sent: false; at: Date; error: string; retryAt: Date | null },
): Promise<void> {
  if (outcome.sent) {
    await db.query(
      `UPDATE notification_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = $2, last_error = NULL WHERE id = $1`,
      [id, outcome.at],
    );
    return;
  }
  await db.query(
    `UPDATE notification_deliveries SET attempts = attempts + 1, last_error = $2,
       status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, next_at = COALESCE($3, next_at)
     WHERE id = $1`,
    [id, outcome.error, outcome.retryAt],
  );
}

/** The deliveries of a work order, for its page and for tests. */
export async function listDeliveries(db: Queryable, workOrder: string): Promise<Delivery[]> {
  const { rows } = await db.query<Delivery>(
    `SELECT ${COLUMNS} FROM notification_deliveries WHERE work_order_id = $1 ORDER BY id`,
    [workOrder],
  );
  return rows;
}

/**
 * Whether an endpoint's latest settled delivery failed for good: the endpoint was reported down and has not been
 * reported up since. Read from the table, so that a restart in between still reports it up.
 */
export async function endpointDown(db: Queryable, endpoint: number): Promise<boolean> {
  const { rows } = await db.query<{ status: DeliveryStatus }>(
    `SELECT status FROM notification_deliveries WHERE endpoint_id = $1 AND status IN ('sent', 'failed')
     ORDER BY COALESCE(sent_at, next_at) DESC, id DESC LIMIT 1`,
    [endpoint],
  );
  return rows[0]?.status === 'failed';
}
