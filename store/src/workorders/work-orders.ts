import type { Queryable } from '@vigil/core';
import type { AlertPriority, AlertRule } from '@vigil/protocol';

export const WORK_ORDER_STATUSES = ['offered', 'accepted', 'en_route', 'on_site', 'done', 'cancelled'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];
/** The steps a staff member takes, in order; each may only follow the one before it. */
export const WORK_ORDER_STEPS = ['accepted', 'en_route', 'on_site', 'done'] as const;
export type WorkOrderStep = (typeof WORK_ORDER_STEPS)[number];
/** How a visit ended, given when it is finished (migration 0160). */
export const VISIT_OUTCOMES = ['resident_ok', 'needed_help', 'hospital_transfer', 'false_alarm'] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];

export interface WorkOrder {
  id: string;
  facility: string;
  location: string;
  resident: string | null;
  alertId: string;
  rule: AlertRule;
  priority: AlertPriority;
  status: WorkOrderStatus;
  offeredTo: string[];
  assignee: string | null;
  createdAt: Date;
  onSiteDueAt: Date;
  acceptedAt: Date | null;
  enRouteAt: Date | null;
  onSiteAt: Date | null;
  doneAt: Date | null;
  doneBy: string | null;
  escalatedAt: Date | null;
  escalatedTo: string[] | null;
  note: string | null;
  /** Set when done; null on orders finished before outcomes were recorded. */
  outcome: VisitOutcome | null;
  /** The display names of the assignee and of who finished, when they are staff of the order's station. */
  assigneeName: string | null;
  doneByName: string | null;
}

export type NewWorkOrder = Pick<
  WorkOrder,
  'facility' | 'location' | 'resident' | 'alertId' | 'rule' | 'priority' | 'offeredTo' | 'createdAt' | 'onSiteDueAt'
>;

/** A staff member's name, only when they belong to the order's station (names never cross facilities). */
const staffName = (t: string, column: string) =>
  `(SELECT u.name FROM users u WHERE u.id = ${t}.${column} AND u.facility_id = ${t}.facility_id)`;

/** The order's columns, of the table or CTE `t` (an UPDATE's RETURNING names the table). */
const columns = (t: string) => `${t}.id, ${t}.facility_id AS facility, ${t}.location_id AS location,
  ${t}.resident_id AS resident, ${t}.alert_id AS "alertId", ${t}.rule, ${t}.priority, ${t}.status,
  ${t}.offered_to AS "offeredTo", ${t}.assignee, ${t}.created_at AS "createdAt", ${t}.on_site_due_at AS "onSiteDueAt",
  ${t}.accepted_at AS "acceptedAt", ${t}.en_route_at AS "enRouteAt", ${t}.on_site_at AS "onSiteAt",
  ${t}.done_at AS "doneAt", ${t}.done_by AS "doneBy", ${t}.escalated_at AS "escalatedAt",
  ${t}.escalated_to AS "escalatedTo", ${t}.note, ${t}.outcome, ${staffName(t, 'assignee')} AS "assigneeName",
  ${staffName(t, 'done_by')} AS "doneByName"`;
const COLUMNS = columns('work_orders');

/**
 * Opens the work order of an alert, or finds the one a previous delivery of the same event opened: `created` tells
 * which, so that only the first sends notifications.
 */
export async function openWorkOrder(db: Queryable, o: NewWorkOrder): Promise<{ order: WorkOrder; created: boolean }> {
  const { rows } = await db.query<WorkOrder & { created: boolean }>(
    `WITH ins AS (
       INSERT INTO work_orders (facility_id, location_id, resident_id, alert_id, rule, priority, status, offered_to,
                                created_at, on_site_due_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'offered', $7, $8, $9) ON CONFLICT (alert_id) DO NOTHING RETURNING *
     )
     SELECT ${columns('ins')}, true AS created FROM ins
     UNION ALL SELECT ${COLUMNS}, false AS created FROM work_orders WHERE alert_id = $4 AND NOT EXISTS (SELECT FROM ins)`,
    [o.facility, o.location, o.resident, o.alertId, o.rule, o.priority, o.offeredTo, o.createdAt, o.onSiteDueAt],
  );
  const { created, ...order } = rows[0]!;
  return { order, created };
}

export async function getWorkOrder(db: Queryable, id: string): Promise<WorkOrder | null> {
  const { rows } = await db.query<WorkOrder>(`SELECT ${COLUMNS} FROM work_orders WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function getWorkOrderByAlert(db: Queryable, alertId: string): Promise<WorkOrder | null> {
  const { rows } = await db.query<WorkOrder>(`SELECT ${COLUMNS} FROM work_orders WHERE alert_id = $1`, [alertId]);
  return rows[0] ?? null;
}

export interface WorkOrderFilter {
  facility?: string;
  /** Only orders still to be done (not done, not cancelled). */
  open?: boolean;
  /** Only orders offered to or taken by this user. */
  user?: string;
  from?: Date;
  to?: Date;
  limit?: number;
}

/** Work orders, newest first: a station's open orders, a staff member's, or a period's for response analytics. */
export async function listWorkOrders(db: Queryable, f: WorkOrderFilter): Promise<WorkOrder[]> {
  const { rows } = await db.query<WorkOrder>(
    `SELECT ${COLUMNS} FROM work_orders
     WHERE ($1::text IS NULL OR facility_id = $1)
       AND (NOT $2 OR status NOT IN ('done', 'cancelled'))
       AND ($3::text IS NULL OR assignee = $3 OR (status = 'offered' AND ($3 = ANY (offered_to) OR $3 = ANY (escalated_to))))
       AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)
     ORDER BY created_at DESC LIMIT $6`,
    [f.facility ?? null, f.open ?? false, f.user ?? null, f.from ?? null, f.to ?? null, f.limit ?? 500],
  );
  return rows;
}

const STEP_COLUMN: Record<WorkOrderStep, string> = {
  accepted: 'accepted_at',
  en_route: 'en_route_at',
  on_site: 'on_site_at',
  done: 'done_at',
};
const PREVIOUS: Record<WorkOrderStep, WorkOrderStatus> = {
  accepted: 'offered',
  en_route: 'accepted',
  on_site: 'en_route',
  done: 'on_site',
};

/**
 * Takes a step of an order for `user` at `at`: accepting makes them the assignee (the first to accept wins), every
 * later step is theirs only; `done` records the visit's outcome (the database refuses a done order without one).
 * Returns the order as it is now, or null when the step does not follow from the order's status or belongs to
 * someone else; the caller reads the order to tell which.
 */
export async function stepWorkOrder(
  db: Queryable,
  id: string,
  step: WorkOrderStep,
  user: string,
  at: Date,
  visit: { note?: string; outcome?: VisitOutcome } = {},
): Promise<WorkOrder | null> {
  const { rows } = await db.query<WorkOrder>(
    `UPDATE work_orders SET status = $2, ${STEP_COLUMN[step]} = $5,
       assignee = CASE WHEN $2 = 'accepted' THEN $4 ELSE assignee END,
       done_by = CASE WHEN $2 = 'done' THEN $4 ELSE done_by END, note = COALESCE($6, note),
       outcome = CASE WHEN $2 = 'done' THEN $7 ELSE outcome END
     WHERE id = $1 AND status = $3 AND ($2 = 'accepted' OR assignee = $4)
     RETURNING ${COLUMNS}`,
    [id, step, PREVIOUS[step], user, at, visit.note ?? null, visit.outcome ?? null],
  );
  return rows[0] ?? null;
}

/** Orders offered at or before `before` that nobody has accepted and that have not been escalated yet. */
export async function unacceptedSince(
  db: Queryable,
  before: Date,
  facility: string | null = null,
): Promise<WorkOrder[]> {
  const { rows } = await db.query<WorkOrder>(
    `SELECT ${COLUMNS} FROM work_orders WHERE status = 'offered' AND escalated_at IS NULL AND created_at <= $1
       AND ($2::text IS NULL OR facility_id = $2)
     ORDER BY created_at`,
    [before, facility],
  );
  return rows;
}

/** Marks an order escalated to `leads`; false when it was accepted (or escalated) meanwhile. */
export async function markEscalated(db: Queryable, id: string, leads: string[], at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE work_orders SET escalated_at = $3, escalated_to = $2 WHERE id = $1 AND status = 'offered' AND escalated_at IS NULL`,
    [id, leads, at],
  );
  return rowCount === 1;
}

/** Cancels an order nobody has reached yet (its alert was resolved or cleared before anyone got there). */
export async function cancelWorkOrder(db: Queryable, alertId: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE work_orders SET status = 'cancelled', cancelled_at = $2 WHERE alert_id = $1 AND status = 'offered'`,
    [alertId, at],
  );
  return rowCount === 1;
}
