import type { Queryable } from '@vigil/core';
import { EVENT_TYPES, type CareLevel, type DeviceKind, type LocationKind } from '@vigil/protocol';
import { ceilHour, notDirty, presenceSources, ROLLED_UNTIL } from '../history/presence-rollup.js';
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
  const f = await db.query('SELECT id, region, timezone FROM facilities WHERE id = $1', [facility]);
  const places = await db.query('SELECT id, kind, name FROM locations WHERE facility_id = $1 ORDER BY id', [facility]);
  const residents = await db.query(
      `SELECT id, pseudonym, care_level AS "careLevel",
              ARRAY(SELECT DISTINCT unnest(risks || CASE WHEN fall_risk <> 'none' THEN ARRAY['falls'] ELSE '{}' END
                                                 || CASE WHEN wander_risk THEN ARRAY['wandering'] ELSE '{}' END)
                    ORDER BY 1) AS risks
       FROM residents WHERE facility_id = $1 AND active ORDER BY id`,
      [facility],
    );
  const devices = await db.query(
      `SELECT id, kind, location_id AS place, resident_id AS resident, created_at AS "createdAt", retired_at AS "retiredAt"
       FROM devices WHERE facility_id = $1 AND created_at < $2 ORDER BY id`,
      [facility, to],
    );
  if (!f.rows[0]) return null;
  return { facility: f.rows[0], places: places.rows, residents: residents.rows, devices: devices.rows };
}

/**
 * $1 facility, $2 from, $3 to, $4 the low threshold; exported for its query plan. Whole rolled-up hours come from
 * the presence rollup's lowest battery (the first low hour of a device is then read raw for the exact time); the
 * period's partial first and last hours, hours not rolled up yet and hours marked late from the raw rows.
 */
export const LOWEST_BATTERIES_SQL = `
  WITH span AS (SELECT ${ceilHour('$2::timestamptz')} AS lo, least(time_bucket('1 hour', $3::timestamptz), ${ROLLED_UNTIL}) AS hi),
  ranges AS (
    SELECT * FROM (
      SELECT $2::timestamptz AS r_from, CASE WHEN lo < hi THEN lo ELSE $3::timestamptz END AS r_to FROM span
      UNION ALL SELECT hi, $3::timestamptz FROM span WHERE lo < hi
      UNION ALL SELECT d.bucket, d.bucket + interval '1 hour' FROM span s JOIN ingest_rollup_dirty d ON d.bucket >= s.lo AND d.bucket < s.hi
    ) r WHERE r_from < r_to),
  raw AS (
    SELECT m.device_id, m.time, m.battery FROM ranges r
    CROSS JOIN LATERAL (${presenceSources('facility_id = $1 AND time >= r.r_from AND time < r.r_to AND time >= $2 AND time < $3')}) m
    WHERE m.battery IS NOT NULL),
  hours AS (
    SELECT h.device_id, h.bucket, h.min_battery FROM span s JOIN device_presence_hourly h
      ON h.facility_id = $1 AND h.bucket >= s.lo AND h.bucket < s.hi
    WHERE h.bucket >= $2 AND h.bucket < $3 AND h.min_battery IS NOT NULL AND ${notDirty('h.bucket')}),
  first_low AS (
    SELECT DISTINCT ON (device_id) device_id, bucket FROM hours WHERE min_battery < $4 ORDER BY device_id, bucket),
  low_at AS (
    SELECT f.device_id, coalesce((
      SELECT min(x.time) FROM (${presenceSources("device_id = f.device_id AND time >= f.bucket AND time < f.bucket + interval '1 hour' AND time >= $2 AND time < $3")}) x
      WHERE x.battery < $4), f.bucket) AS at
    FROM first_low f)
  SELECT device_id, min(lowest) AS lowest, min(low_from) AS low_from FROM (
    SELECT device_id, battery AS lowest, CASE WHEN battery < $4 THEN time END AS low_from FROM raw
    UNION ALL SELECT device_id, min_battery, NULL FROM hours
    UNION ALL SELECT device_id, NULL, at FROM low_at
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
