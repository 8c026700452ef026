import type { Queryable } from '@vigil/core';
import { EVENT_TYPES, type CareLevel, type DeviceKind, type LocationKind } from '@vigil/protocol';
import type { AlertKindSummary } from './report-schema.js';
import type { ResidentRisk } from './risks.js';

/** What the coverage audit reads besides data gaps; one query each, every time-series read bounded in time. */

/** Hazard detectors report functional tests as `test` events (docs/PROTOCOL.md). */
export const hasFunctionalTest = (kind: DeviceKind): boolean => (EVENT_TYPES[kind] as readonly string[]).includes('test');

export interface AuditPlace {
  id: string;
  kind: LocationKind;
  name: string | null;
}

export interface AuditResident {
  id: string;
  pseudonym: string;
  careLevel: CareLevel;
  /** `risks` plus what the older fields say (a fall risk is `falls`, a wander risk `wandering`). */
  risks: ResidentRisk[];
}

export interface AuditDevice {
  id: string;
  kind: DeviceKind;
  place: string | null;
  resident: string | null;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface AuditRegistry {
  facility: { id: string; region: string; timezone: string };
  places: AuditPlace[];
  residents: AuditResident[];
  /** Devices registered before the end of the period, retired ones included. */
  devices: AuditDevice[];
}

/** The facility's places, active residents and devices; null when the facility does not exist. */
export async function readAuditRegistry(db: Queryable, facility: string, to: Date): Promise<AuditRegistry | null> {
  const [f, places, residents, devices] = await Promise.all([
    db.query('SELECT id, region, timezone FROM facilities WHERE id = $1', [facility]),
    db.query('SELECT id, kind, name FROM locations WHERE facility_id = $1 ORDER BY id', [facility]),
    db.query(
      `SELECT id, pseudonym, care_level AS "careLevel",
              ARRAY(SELECT DISTINCT unnest(risks || CASE WHEN fall_risk <> 'none' THEN ARRAY['falls'] ELSE '{}' END
                                                 || CASE WHEN wander_risk THEN ARRAY['wandering'] ELSE '{}' END)
                    ORDER BY 1) AS risks
       FROM residents WHERE facility_id = $1 AND active ORDER BY id`,
      [facility],
    ),
    db.query(
      `SELECT id, kind, location_id AS place, resident_id AS resident, created_at AS "createdAt", retired_at AS "retiredAt"
       FROM devices WHERE facility_id = $1 AND created_at < $2 ORDER BY id`,
      [facility, to],
    ),
  ]);
  if (!f.rows[0]) return null;
  return { facility: f.rows[0], places: places.rows, residents: residents.rows, devices: devices.rows };
}

const BOUNDED = 'facility_id = $1 AND time >= $2 AND time < $3 AND battery IS NOT NULL';
/** $1 facility, $2 from, $3 to, $4 the low threshold; a hash aggregate, no sort. Exported for its query plan. */
export const LOWEST_BATTERIES_SQL = `SELECT device_id, min(battery) AS lowest, min(time) FILTER (WHERE battery < $4) AS low_from
  FROM (
    SELECT device_id, time, battery FROM vitals WHERE ${BOUNDED}
    UNION ALL SELECT device_id, time, battery FROM environment WHERE ${BOUNDED}
    UNION ALL SELECT device_id, time, battery FROM device_status WHERE ${BOUNDED}
  ) b GROUP BY device_id`;

export interface BatteryFacts {
  lowest: number;
  /** When it first reported less than the threshold, null when it never did. */
  lowFrom: Date | null;
}

/** The lowest battery each device reported in [from, to) (readings and status messages), and when it fell low. */
export async function readBatteries(
  db: Queryable,
  facility: string,
  from: Date,
  to: Date,
  low: number,
): Promise<Map<string, BatteryFacts>> {
  const { rows } = await db.query(LOWEST_BATTERIES_SQL, [facility, from, to, low]);
  return new Map(rows.map((r) => [r.device_id, { lowest: r.lowest, lowFrom: r.low_from }]));
}

/** Each device's last `test` event in [since, to). */
export async function readLastTests(db: Queryable, facility: string, since: Date, to: Date): Promise<Map<string, Date>> {
  const { rows } = await db.query(
    `SELECT device_id, max(time) AS at FROM device_events
     WHERE facility_id = $1 AND type = 'test' AND time >= $2 AND time < $3 GROUP BY device_id`,
    [facility, since, to],
  );
  return new Map(rows.map((r) => [r.device_id, r.at]));
}

/** Alerts raised in [from, to) by rule, drills apart, with response times. */
export async function readAlertKinds(db: Queryable, facility: string, from: Date, to: Date): Promise<AlertKindSummary[]> {
  const ack = 'extract(epoch FROM acknowledged_at - raised_at)::float8';
  const { rows } = await db.query(
    `SELECT rule, drill, count(*)::int AS count, count(acknowledged_at)::int AS acknowledged,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ack}) AS "medianSecondsToAcknowledge",
            max(${ack}) AS "maxSecondsToAcknowledge",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - raised_at)::float8)
              AS "medianSecondsToResolve"
     FROM alerts WHERE facility_id = $1 AND raised_at >= $2 AND raised_at < $3
     GROUP BY rule, drill ORDER BY drill, rule`,
    [facility, from, to],
  );
  return rows;
}
