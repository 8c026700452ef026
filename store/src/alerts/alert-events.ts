import type { Queryable } from '@vigil/core';
import type { Alert, AlertEvent } from '@vigil/protocol';

/** One event to make durable: its alert row (as after the event), its chained row, and the command it answers. */
export interface EventWrite {
  event: AlertEvent;
  prevHash: Buffer | null;
  hash: Buffer;
  /** The `alert_commands` row this event answers: marked processed in the same transaction. */
  commandId?: number;
}

/** The one alert ↔ `alerts` row mapping: [column, Alert field, type], in column order. */
const ALERT_FIELDS = [
  ['id', 'id', 'uuid'],
  ['facility_id', 'facility', 'text'],
  ['rule', 'rule', 'text'],
  ['priority', 'priority', 'text'],
  ['status', 'status', 'text'],
  ['subject', 'subject', 'text'],
  ['resident_id', 'resident', 'text'],
  ['device_id', 'device', 'text'],
  ['location_id', 'location', 'text'],
  ['detail', 'detail', 'text'],
  ['drill', 'drill', 'boolean'],
  ['escalation_level', 'escalationLevel', 'smallint'],
  ['raised_at', 'raisedAt', 'timestamptz'],
  ['occurred_at', 'occurredAt', 'timestamptz'],
  ['last_seen_at', 'lastSeenAt', 'timestamptz'],
  ['acknowledged_at', 'acknowledgedAt', 'timestamptz'],
  ['acknowledged_by', 'acknowledgedBy', 'text'],
  ['present_at', 'presentAt', 'timestamptz'],
  ['present_by', 'presentBy', 'text'],
  ['resolved_at', 'resolvedAt', 'timestamptz'],
  ['resolved_by', 'resolvedBy', 'text'],
  ['outcome', 'outcome', 'text'],
  ['note', 'note', 'text'],
] as const satisfies ReadonlyArray<readonly [string, keyof Alert, string]>;

const ALERT_COLUMNS = ALERT_FIELDS.map(([column, , type]) => `${column} ${type}`).join(', ');
const ALERT_NAMES = ALERT_FIELDS.map(([column]) => column).join(', ');

/** `alerts` columns (table alias `a`) selected as the protocol's `Alert` fields (times converted by `toAlert`). */
export const ALERT_SELECT = ALERT_FIELDS.map(([column, field]) =>
  column === field ? `a.${column}` : `a.${column} AS "${field}"`,
).join(', ');

/**
 * A whole batch in one statement, so one round trip: under load each round trip waits for the database backend
 * and then for us to be scheduled, and a transaction of five of them took 30 ms on average (200 ms at worst) on
 * two busy cores. $1: the alerts as after their batch's last event, in the order of those events (an alert resolved
 * before its subject's next one is raised, for the one-open-alert index); $2: the events; $3: the commands answered.
 * ON CONFLICT DO NOTHING on events: a batch retried after a connection lost during COMMIT may already be stored.
 * The foreign key of each event is checked at the end of the statement, after its alert was written.
 */
const WRITE_BATCH = `
  WITH written_alerts AS (
    INSERT INTO alerts (${ALERT_NAMES})
    SELECT ${ALERT_NAMES} FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${ALERT_COLUMNS})) WITH ORDINALITY AS a
    ORDER BY a.ordinality
    ON CONFLICT (id) DO UPDATE SET priority = EXCLUDED.priority, status = EXCLUDED.status,
      detail = EXCLUDED.detail, escalation_level = EXCLUDED.escalation_level, last_seen_at = EXCLUDED.last_seen_at,
      acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by,
      present_at = EXCLUDED.present_at, present_by = EXCLUDED.present_by,
      resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by, outcome = EXCLUDED.outcome,
      note = EXCLUDED.note
  ), written_events AS (
    INSERT INTO alert_events (id, alert_id, facility_id, type, at, actor, data, prev_hash, hash)
    SELECT id, alert_id, facility_id, type, at, actor, data, decode(prev_hash, 'hex'), decode(hash, 'hex')
    FROM jsonb_to_recordset($2::jsonb) AS e(id bigint, alert_id uuid, facility_id text, type text,
      at timestamptz, actor text, data jsonb, prev_hash text, hash text)
    ON CONFLICT (facility_id, id) DO NOTHING
  )
  UPDATE alert_commands SET processed_at = now(), alert_id = c.alert_id
  FROM jsonb_to_recordset($3::jsonb) AS c(id bigint, alert_id uuid) WHERE alert_commands.id = c.id`;

/** The `alerts` row of an alert, keyed by column. */
const alertRow = (a: Alert) => Object.fromEntries(ALERT_FIELDS.map(([column, field]) => [column, a[field]]));

/**
 * Appends a batch of events (in each facility's event id order) with their alerts' rows in one statement, so atomically;
 * `synchronous_commit` must be on for the connection (the alerts service sets it on every connection).
 */
export async function appendAlertEvents(db: Queryable, batch: readonly EventWrite[]): Promise<void> {
  await db.query(WRITE_BATCH, batchParams(batch));
}

function batchParams(batch: readonly EventWrite[]): [string, string, string] {
  const alerts = new Map<string, Alert>();
  for (const { event } of batch) {
    alerts.delete(event.alert.id); // re-inserted: the map's order is that of each alert's last event
    alerts.set(event.alert.id, event.alert);
  }
  const events = batch.map(({ event, prevHash, hash }) => ({
    id: event.eventId,
    alert_id: event.alert.id,
    facility_id: event.alert.facility,
    type: event.event,
    at: event.at,
    actor: event.actor,
    data: event.alert,
    prev_hash: prevHash?.toString('hex') ?? null,
    hash: hash.toString('hex'),
  }));
  const commands = batch.flatMap(({ event, commandId }) =>
    commandId === undefined ? [] : [{ id: commandId, alert_id: event.alert.id }],
  );
  return [JSON.stringify([...alerts.values()].map(alertRow)), JSON.stringify(events), JSON.stringify(commands)];
}
