import type { Pool, Queryable } from '@vigil/core';
import { alertEventSchema, alertSchema, type Alert, type AlertEvent } from '@vigil/protocol';
import { scopeClause, type Principal } from '../registry/accounts.js';
import { ALERT_SELECT } from './alert-events.js';

/** A timestamp column (Date) or JSON time string → ISO 8601 UTC, as the protocol writes times. */
export function iso(value: Date | string): string;
export function iso(value: Date | string | null): string | null;
export function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/**
 * An alert as stored in `alert_events.data`: events written before presence existed (migration 0110) have no
 * presentAt/presentBy, which means nobody was recorded present.
 */
export const storedAlertSchema = alertSchema.extend({
  presentAt: alertSchema.shape.presentAt.default(null),
  presentBy: alertSchema.shape.presentBy.default(null),
});

/** A row selected with ALERT_SELECT → `Alert`. */
export function toAlert(row: Record<string, unknown>): Alert {
  return {
    ...(row as unknown as Alert),
    raisedAt: iso(row.raisedAt as Date),
    occurredAt: iso(row.occurredAt as Date),
    lastSeenAt: iso(row.lastSeenAt as Date),
    acknowledgedAt: iso(row.acknowledgedAt as Date | null),
    presentAt: iso(row.presentAt as Date | null),
    resolvedAt: iso(row.resolvedAt as Date | null),
  };
}

export async function getAlert(db: Queryable, id: string): Promise<Alert | null> {
  const { rows } = await db.query(`SELECT ${ALERT_SELECT} FROM alerts a WHERE a.id = $1`, [id]);
  return rows[0] ? toAlert(rows[0]) : null;
}

export interface EventRow {
  id: string;
  type: string;
  at: Date;
  actor: string | null;
  data: unknown;
}

/**
 * An `alert_events` row → `AlertEvent`. `data` holds the alert as it was after the event; rows whose data
 * does not match the protocol (hand-written, or an older format) yield null rather than a broken message.
 */
export function toAlertEvent(row: EventRow): AlertEvent | null {
  const alert = storedAlertSchema.safeParse(row.data);
  if (!alert.success) return null;
  const parsed = alertEventSchema.safeParse({
    eventId: Number(row.id),
    event: row.type,
    at: iso(row.at),
    actor: row.actor,
    alert: alert.data,
  });
  return parsed.success ? parsed.data : null;
}

/** More missed events than this are not replayed one by one: the reader starts over from a snapshot. */
export const MAX_REPLAY = 10_000;

/** A stretch of one facility's events: ids in (after, upTo]. */
export interface EventRange {
  facility: string;
  after: number;
  upTo: number;
}

/**
 * The events of each range (facility by facility, oldest first), in one query; null when there are more than
 * MAX_REPLAY of them.
 */
export async function eventsBetween(db: Queryable, ranges: readonly EventRange[]): Promise<AlertEvent[] | null> {
  if (!ranges.length) return [];
  const { rows } = await db.query<EventRow>(
    `SELECT e.id, e.type, e.at, e.actor, e.data
     FROM jsonb_to_recordset($1::jsonb) AS r(facility text, after bigint, "upTo" bigint)
     JOIN alert_events e ON e.facility_id = r.facility AND e.id > r.after AND e.id <= r."upTo"
     ORDER BY e.facility_id, e.id LIMIT $2`,
    [JSON.stringify(ranges), MAX_REPLAY + 1],
  );
  if (rows.length > MAX_REPLAY) return null;
  return rows.map(toAlertEvent).filter((event): event is AlertEvent => event !== null);
}

/** Every lifecycle event of one alert, oldest first (the metadata only; `data` is the alert after it). */
export async function eventsOfAlert(db: Queryable, alertId: string): Promise<EventRow[]> {
  const { rows } = await db.query<EventRow>(
    'SELECT id, type, at, actor, data FROM alert_events WHERE alert_id = $1 ORDER BY id',
    [alertId],
  );
  return rows;
}

/**
 * The open (unresolved) alerts and each facility's newest event id, read in one snapshot so that they agree: the
 * stream's snapshot promises "these alerts, as of these events".
 */
export async function openAlertsAsOf(pool: Pool): Promise<{ alerts: Alert[]; lastEventIds: Map<string, number> }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query(`SELECT ${ALERT_SELECT} FROM alerts a WHERE a.status <> 'resolved'`);
    // One index probe per facility (the key is (facility_id, id)), not a scan of every event.
    const last = await client.query<{ facility_id: string; id: string }>(
      `SELECT f.id AS facility_id, e.id FROM facilities f
       JOIN LATERAL (SELECT max(id) AS id FROM alert_events WHERE facility_id = f.id) e ON e.id IS NOT NULL`,
    );
    await client.query('COMMIT');
    return {
      alerts: rows.map(toAlert),
      lastEventIds: new Map(last.rows.map((row) => [row.facility_id, Number(row.id)])),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Filters of the alert list; `before` is the (raisedAt, id) keyset cursor of the previous page. */
export interface AlertFilter {
  status?: string;
  facility?: string;
  rule?: string;
  priority?: string;
  drill?: boolean;
  /** Only alerts assigned to this user (`alert_assignments`). */
  assignee?: string;
  before?: [raisedAt: string, id: string];
  from?: string;
  to?: string;
  limit: number;
}

/** Alerts in the principal's scope, newest first. */
export async function listAlerts(db: Queryable, principal: Principal, f: AlertFilter): Promise<Alert[]> {
  const params: unknown[] = [f.status ?? null, f.facility ?? null, f.rule ?? null, f.drill ?? null];
  params.push(f.before?.[0] ?? null, f.before?.[1] ?? null, f.from ?? null, f.to ?? null, f.limit);
  params.push(f.priority ?? null, f.assignee ?? null);
  const { rows } = await db.query(
    `SELECT ${ALERT_SELECT} FROM alerts a
     WHERE ($1::text IS NULL OR a.status = $1) AND ($2::text IS NULL OR a.facility_id = $2)
       AND ($3::text IS NULL OR a.rule = $3) AND ($4::boolean IS NULL OR a.drill = $4)
       AND ($5::timestamptz IS NULL OR (a.raised_at, a.id) < ($5, $6::uuid))
       AND ($7::timestamptz IS NULL OR a.raised_at >= $7) AND ($8::timestamptz IS NULL OR a.raised_at < $8)
       AND ($10::text IS NULL OR a.priority = $10)
       AND ($11::text IS NULL OR a.id IN (SELECT alert_id FROM alert_assignments WHERE assignee = $11))
       AND ${scopeClause(principal, 'a.facility_id', params)}
     ORDER BY a.raised_at DESC, a.id DESC LIMIT $9`,
    params,
  );
  return rows.map(toAlert);
}

/** Drill alerts raised in [from, to) in the principal's scope, newest first. */
export async function listDrills(
  db: Queryable,
  principal: Principal,
  f: { facility?: string; from: string; to: string; limit: number },
): Promise<Alert[]> {
  const params: unknown[] = [f.facility ?? null, f.from, f.to, f.limit];
  const { rows } = await db.query(
    `SELECT ${ALERT_SELECT} FROM alerts a
     WHERE a.drill AND ($1::text IS NULL OR a.facility_id = $1) AND a.raised_at >= $2 AND a.raised_at < $3
       AND ${scopeClause(principal, 'a.facility_id', params)}
     ORDER BY a.raised_at DESC LIMIT $4`,
    params,
  );
  return rows.map(toAlert);
}

/** Unresolved alerts of one resident. */
export async function countOpenAlertsOf(db: Queryable, facility: string, resident: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alerts WHERE facility_id = $1 AND resident_id = $2 AND status <> 'resolved'`,
    [facility, resident],
  );
  return rows[0]!.n;
}
