import { checkout, inTransaction, type Pool, type Queryable } from '@vigil/core';
import type { RegionAlertEvent, RegionDeviceStatus, RegionMessage, RegionPlan, RegionSummary } from '@vigil/protocol';

// Every statement also moves the facility's last-heard time forward (never back: a late backlog does not
// make a facility look silent), so each message is one round trip and safe to repeat in any order.
const HEARD = `INSERT INTO region_facilities (facility_id, last_heard_at) VALUES ($1, $2)
  ON CONFLICT (facility_id) DO UPDATE SET last_heard_at = GREATEST(region_facilities.last_heard_at, EXCLUDED.last_heard_at)`;

/** Alert events of any facilities in one statement (a worker's batch): each row at most once, by its identity. */
async function alertEvents(db: Queryable, events: ReadonlyArray<{ facility: string; body: RegionAlertEvent }>) {
  await db.query(
    `WITH e AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(facility text, "eventId" bigint, event text, at timestamptz,
         "alertId" uuid, rule text, priority text, status text, resident text, device text, location text,
         drill boolean, "escalationLevel" smallint, "raisedAt" timestamptz, "acknowledgedAt" timestamptz,
         "resolvedAt" timestamptz)),
     written AS (
       INSERT INTO region_alert_events (facility_id, event_id, at, type, alert_id, rule, priority, status, resident,
         device_id, location_id, drill, escalation, raised_at, acknowledged_at, resolved_at)
       SELECT facility, "eventId", at, event, "alertId", rule, priority, status, resident, device, location, drill,
              "escalationLevel", "raisedAt", "acknowledgedAt", "resolvedAt" FROM e
       ON CONFLICT DO NOTHING)
     INSERT INTO region_facilities (facility_id, last_heard_at) SELECT facility, max(at) FROM e GROUP BY facility
     ON CONFLICT (facility_id) DO UPDATE SET last_heard_at = GREATEST(region_facilities.last_heard_at, EXCLUDED.last_heard_at)`,
    [JSON.stringify(events.map((e) => ({ facility: e.facility, ...e.body })))],
  );
}

async function deviceStatus(db: Queryable, facility: string, s: RegionDeviceStatus): Promise<void> {
  await db.query(
    `WITH history AS (
       INSERT INTO region_device_status (facility_id, device_id, at, online) VALUES ($1, $3, $2, $4)
       ON CONFLICT DO NOTHING),
     latest AS (
       INSERT INTO region_devices (facility_id, device_id, at, online) VALUES ($1, $3, $2, $4)
       ON CONFLICT (facility_id, device_id) DO UPDATE SET at = EXCLUDED.at, online = EXCLUDED.online
       WHERE region_devices.at < EXCLUDED.at)
     ${HEARD}`,
    [facility, s.at, s.device, s.online],
  );
}

async function summary(db: Queryable, facility: string, s: RegionSummary): Promise<void> {
  await db.query(
    `WITH history AS (
       INSERT INTO region_summaries (facility_id, at, interval_s, open_alerts, devices_online, devices_offline,
         coverage_score) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING)
     ${HEARD}`,
    [facility, s.at, s.intervalS, JSON.stringify(s.openAlerts), s.devicesOnline, s.devicesOffline, s.coverageScore],
  );
}

async function plan(db: Queryable, facility: string, p: RegionPlan): Promise<void> {
  await db.query(
    `WITH latest AS (
       INSERT INTO region_plans (facility_id, plan_id, at, kind, filing_status, filing_changed_at, review_due,
         drill_every_days, created_at, document_version, drills)
       VALUES ($1, $3, $2, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (facility_id, plan_id) DO UPDATE SET at = EXCLUDED.at, kind = EXCLUDED.kind,
         filing_status = EXCLUDED.filing_status, filing_changed_at = EXCLUDED.filing_changed_at,
         review_due = EXCLUDED.review_due, drill_every_days = EXCLUDED.drill_every_days,
         created_at = EXCLUDED.created_at, document_version = EXCLUDED.document_version, drills = EXCLUDED.drills
       WHERE region_plans.at < EXCLUDED.at)
     ${HEARD}`,
    [
      facility,
      p.at,
      p.plan,
      p.kind,
      p.filingStatus,
      p.filingChangedAt,
      p.reviewDue,
      p.drillEveryDays,
      p.createdAt,
      p.documentVersion,
      JSON.stringify(p.drills),
    ],
  );
}

/**
 * Writes one region message into the hub's tables, idempotently: (facility, event id), (facility, device, time) and
 * (facility, summary time) and (facility, plan) are the keys, and the current-state rows change only for a newer fact.
 */
export async function writeRegionMessage(db: Queryable, m: RegionMessage): Promise<void> {
  if (m.kind === 'alert-event') return alertEvents(db, [m]);
  if (m.kind === 'device-status') return deviceStatus(db, m.facility, m.body);
  if (m.kind === 'plan') return plan(db, m.facility, m.body);
  return summary(db, m.facility, m.body);
}

/**
 * Writes region messages in one transaction (a worker's batch): the alert events, by far the most, in one statement,
 * the rest one by one. Every write is idempotent and independent of order, so the batch's order does not matter.
 */
export async function writeRegionMessages(pool: Pool, messages: readonly RegionMessage[]): Promise<void> {
  const events = messages.filter((m): m is Extract<RegionMessage, { kind: 'alert-event' }> => m.kind === 'alert-event');
  await checkout(pool, (client) =>
    inTransaction(client, async () => {
      if (events.length) await alertEvents(client, events);
      for (const m of messages) if (m.kind !== 'alert-event') await writeRegionMessage(client, m);
    }),
  );
}
