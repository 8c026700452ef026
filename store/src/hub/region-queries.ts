import type { Queryable } from '@vigil/core';
import { iso } from '../alerts/alert-queries.js';

/** A facility is silent when nothing of it is newer than this many summary intervals. */
export const SILENT_AFTER_INTERVALS = 2;

/** A facility as the region API shows it: its newest summary and, when it has been silent too long, a finding. */
export interface RegionFacility {
  facility: string;
  lastHeardAt: string;
  summaryAt: string | null;
  intervalS: number | null;
  openAlerts: Record<string, number> | null;
  devicesOnline: number | null;
  devicesOffline: number | null;
  coverageScore: number | null;
  /** Set when nothing came for two summary intervals: "Facility X: no data since 02:10". */
  silentSince: string | null;
}

/** Every facility heard from, with its live status as of `now` (epoch ms). */
export async function listRegionFacilities(db: Queryable, now: number): Promise<RegionFacility[]> {
  const { rows } = await db.query<{
    facility: string;
    last_heard_at: Date;
    at: Date | null;
    interval_s: number | null;
    open_alerts: Record<string, number> | null;
    devices_online: number | null;
    devices_offline: number | null;
    coverage_score: number | null;
  }>(
    `SELECT f.facility_id AS facility, f.last_heard_at, s.at, s.interval_s, s.open_alerts, s.devices_online,
            s.devices_offline, s.coverage_score
       FROM region_facilities f
       LEFT JOIN LATERAL (SELECT * FROM region_summaries s WHERE s.facility_id = f.facility_id
                          ORDER BY s.at DESC LIMIT 1) s ON true
      ORDER BY f.facility_id`,
  );
  return rows.map((r) => {
    // Silent once a whole summary is missing: just before each summary arrives a healthy facility is already
    // one interval (plus delivery and clock skew) old, and must not flap into a finding every cycle.
    const silent =
      r.interval_s !== null && now - r.last_heard_at.getTime() > SILENT_AFTER_INTERVALS * r.interval_s * 1000;
    return {
      facility: r.facility,
      lastHeardAt: iso(r.last_heard_at),
      summaryAt: iso(r.at),
      intervalS: r.interval_s,
      openAlerts: r.open_alerts,
      devicesOnline: r.devices_online,
      devicesOffline: r.devices_offline,
      coverageScore: r.coverage_score,
      silentSince: silent ? iso(r.last_heard_at) : null,
    };
  });
}

export interface RegionAlertQuery {
  facility?: string | undefined;
  /** ISO times bounding raised_at. */
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
}

/** An alert at the hub with its response times (seconds from raised to acknowledged and to resolved). */
export interface RegionAlert {
  facility: string;
  alertId: string;
  rule: string;
  priority: string;
  status: string;
  resident: string | null;
  device: string | null;
  location: string | null;
  drill: boolean;
  raisedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  acknowledgeS: number | null;
  resolveS: number | null;
}

export async function listRegionAlerts(db: Queryable, q: RegionAlertQuery): Promise<RegionAlert[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT facility_id AS facility, alert_id AS "alertId", rule, priority, status, resident, device_id AS device,
            location_id AS location, drill, raised_at AS "raisedAt", acknowledged_at AS "acknowledgedAt",
            resolved_at AS "resolvedAt",
            extract(epoch FROM acknowledged_at - raised_at)::float8 AS "acknowledgeS",
            extract(epoch FROM resolved_at - raised_at)::float8 AS "resolveS"
       FROM (SELECT DISTINCT ON (facility_id, alert_id) * FROM region_alert_events
            WHERE ($1::text IS NULL OR facility_id = $1) AND ($2::timestamptz IS NULL OR raised_at >= $2)
              AND ($3::timestamptz IS NULL OR raised_at < $3)
            ORDER BY facility_id, alert_id, event_id DESC) a
      ORDER BY raised_at DESC, alert_id LIMIT $4`,
    [q.facility ?? null, q.from ?? null, q.to ?? null, q.limit],
  );
  return rows.map((r) => ({
    ...(r as unknown as RegionAlert),
    raisedAt: iso(r.raisedAt as Date),
    acknowledgedAt: iso(r.acknowledgedAt as Date | null),
    resolvedAt: iso(r.resolvedAt as Date | null),
  }));
}

/** The facility's summaries in [from, to): its coverage score and device counts as a trend. */
export async function listRegionSummaries(
  db: Queryable,
  facility: string,
  from: string,
  to: string,
): Promise<Array<{ at: string; coverageScore: number | null; devicesOnline: number; devicesOffline: number }>> {
  const { rows } = await db.query<{
    at: Date;
    coverage_score: number | null;
    devices_online: number;
    devices_offline: number;
  }>(
    `SELECT at, coverage_score, devices_online, devices_offline FROM region_summaries
      WHERE facility_id = $1 AND at >= $2 AND at < $3 ORDER BY at`,
    [facility, from, to],
  );
  return rows.map((r) => ({
    at: iso(r.at),
    coverageScore: r.coverage_score,
    devicesOnline: r.devices_online,
    devicesOffline: r.devices_offline,
  }));
}
