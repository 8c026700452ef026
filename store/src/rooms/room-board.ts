import type { Queryable } from '@vigil/core';
import { scopeClause, type Principal } from '../registry/accounts.js';

/** A bed of the room board: the resident in it and, with their consent to vitals, the latest readings. */
export interface BoardBed {
  resident: string;
  name: string | null;
  /** False without the resident's consent to vitals: then every reading below is null. */
  vitalsConsented: boolean;
  occupied: boolean | null;
  hr: number | null;
  rr: number | null;
  spo2: number | null;
  /** When the newest of the readings shown was taken. */
  readAt: Date | null;
}

export interface BoardRoom {
  id: string;
  name: string | null;
  kind: string;
  beds: BoardBed[];
  devices: number;
  offline: number;
  lowBattery: number;
}

/** Battery below this share (%) counts as low on the board, as on the wall display. */
export const LOW_BATTERY_PERCENT = 20;

/** Readings older than this are not "latest" (as `readLatestVitals`). */
const FRESH_INTERVAL = '1 day';

/**
 * The newest non-null value of one vitals column of the row's resident within a day, read only when the resident
 * consented (`c.vitals`): without consent no reading is even selected. One backward scan of
 * `vitals_resident_idx (facility_id, resident_id, time DESC)` per bed and sign.
 */
const latest = (column: string, alias: string) => `LEFT JOIN LATERAL (
    SELECT v.${column} AS value, v.time FROM vitals v
    WHERE c.vitals AND v.facility_id = r.facility_id AND v.resident_id = r.id
      AND v.time > $2::timestamptz - interval '${FRESH_INTERVAL}' AND v.${column} IS NOT NULL
    ORDER BY v.time DESC LIMIT 1) ${alias} ON true`;

/**
 * Every room of a facility (a location of kind `room`, or any location a resident lives in) with its beds and its
 * devices, in two statements whatever the number of beds (docs/api.md "Room board"). Devices count for the room
 * they are placed in, else for their resident's; `offline` includes the silent (nothing for three expected
 * intervals, as the device routes say). Scoped to the principal in SQL: another facility yields no rooms.
 */
export async function readRoomBoard(
  db: Queryable,
  principal: Principal,
  facility: string,
  at: Date,
): Promise<BoardRoom[]> {
  const bedParams: unknown[] = [facility, at];
  const bedScope = scopeClause(principal, 'l.facility_id', bedParams);
  const deviceParams: unknown[] = [facility, at, LOW_BATTERY_PERCENT];
  const deviceScope = scopeClause(principal, 'd.facility_id', deviceParams);
  const [beds, devices] = await Promise.all([
    db.query<{ location: string; locationName: string | null; kind: string } & Partial<BoardBed>>(
      `SELECT l.id AS location, l.name AS "locationName", l.kind, r.id AS resident, r.name,
              coalesce(c.vitals, false) AS "vitalsConsented", occupied.value AS occupied, hr.value AS hr,
              rr.value AS rr, spo2.value AS spo2,
              greatest(occupied.time, hr.time, rr.time, spo2.time) AS "readAt"
       FROM locations l
       LEFT JOIN residents r ON r.facility_id = l.facility_id AND r.location_id = l.id AND r.active
       LEFT JOIN resident_consents c ON c.facility_id = r.facility_id AND c.resident_id = r.id
       ${latest('occupied', 'occupied')} ${latest('hr', 'hr')} ${latest('rr', 'rr')} ${latest('spo2', 'spo2')}
       WHERE l.facility_id = $1 AND ${bedScope}
         AND (l.kind = 'room' OR r.id IS NOT NULL)
       ORDER BY l.id, r.id`,
      bedParams,
    ),
    db.query<{ location: string; devices: number; offline: number; lowBattery: number }>(
      `SELECT coalesce(d.location_id, r.location_id) AS location, count(*)::int AS devices,
              count(*) FILTER (WHERE d.online IS FALSE OR d.last_seen_at IS NULL
                OR d.last_seen_at < $2::timestamptz - make_interval(secs => 3 * d.expected_interval_s))::int AS offline,
              count(*) FILTER (WHERE d.battery < $3)::int AS "lowBattery"
       FROM devices d LEFT JOIN residents r ON r.facility_id = d.facility_id AND r.id = d.resident_id
       WHERE d.facility_id = $1 AND d.retired_at IS NULL AND ${deviceScope}
       GROUP BY 1`,
      deviceParams,
    ),
  ]);
  const counts = new Map(devices.rows.map((row) => [row.location, row]));
  const rooms = new Map<string, BoardRoom>();
  for (const row of beds.rows) {
    let room = rooms.get(row.location);
    if (!room) {
      const c = counts.get(row.location);
      room = {
        id: row.location,
        name: row.locationName,
        kind: row.kind,
        beds: [],
        devices: c?.devices ?? 0,
        offline: c?.offline ?? 0,
        lowBattery: c?.lowBattery ?? 0,
      };
      rooms.set(row.location, room);
    }
    if (row.resident) {
      const { resident, name, vitalsConsented, occupied, hr, rr, spo2, readAt } = row as typeof row & BoardBed;
      room.beds.push({ resident, name, vitalsConsented, occupied, hr, rr, spo2, readAt });
    }
  }
  return [...rooms.values()];
}
