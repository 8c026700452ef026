import type { Queryable } from '@vigil/core';
import { idSchema, type DeviceKind } from '@vigil/protocol';
import { z } from 'zod';
import { HistoryQueryInvalid } from '../errors.js';
import { FROM_BEFORE_TO, fromBeforeTo } from './vitals-history.js';

/** A gap is "silent" when it is longer than this many expected intervals (docs/ARCHITECTURE.md "Coverage audit"). */
export const GAP_FACTOR = 3;

export const dataGapsQuerySchema = z
  .object({
    facility: idSchema,
    from: z.coerce.date(),
    to: z.coerce.date(),
    now: z.coerce.date().optional(),
    /** Only these devices of the facility (the coverage audit reads a large facility in batches). */
    devices: z.array(idSchema).optional(),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO);
export type DataGapsQuery = z.input<typeof dataGapsQuerySchema>;

export interface Gap {
  from: Date;
  to: Date;
  seconds: number;
}

export interface DeviceCoverage {
  device: string;
  kind: DeviceKind;
  resident: string | null;
  location: string | null;
  expectedIntervalS: number;
  /** The part of the period the device was registered and not retired (and not in the future). */
  from: Date;
  to: Date;
  gaps: Gap[];
  silentSeconds: number;
  /** 1 − silent time ÷ the device's period. */
  onlineShare: number;
}

// Any stored message is evidence the device was working; so is a status saying it is online.
const DEVICES = `
  SELECT id, kind, resident_id, location_id, expected_interval_s,
         greatest($2::timestamptz, created_at) AS p_from,
         least($3::timestamptz, coalesce(retired_at, $3::timestamptz)) AS p_to
  FROM devices WHERE facility_id = $1 AND ($4::text[] IS NULL OR id = ANY($4::text[]))`;
/** The gaps statement ($1 facility, $2 from, $3 to, $4 devices or null); exported for its query plan. */
export const DATA_GAPS_SQL = `
  WITH live AS (SELECT * FROM (${DEVICES}) d WHERE p_from < p_to),
  msgs AS (
    SELECT device_id, time FROM vitals WHERE device_id = ANY(ARRAY(SELECT id::text FROM live)) AND time >= $2 AND time < $3
    UNION ALL
    SELECT device_id, time FROM environment WHERE device_id = ANY(ARRAY(SELECT id::text FROM live)) AND time >= $2 AND time < $3
    UNION ALL
    SELECT device_id, time FROM device_events WHERE device_id = ANY(ARRAY(SELECT id::text FROM live)) AND time >= $2 AND time < $3
    UNION ALL
    SELECT device_id, time FROM device_status
    WHERE device_id = ANY(ARRAY(SELECT id::text FROM live)) AND time >= $2 AND time < $3 AND source = 'status' AND online
  ),
  points AS (
    SELECT id AS device_id, p_from AS time FROM live
    UNION ALL
    SELECT m.device_id, m.time FROM msgs m JOIN live l ON l.id = m.device_id WHERE m.time > l.p_from AND m.time < l.p_to
    UNION ALL
    SELECT id, p_to FROM live
  ),
  ordered AS (SELECT device_id, time, lag(time) OVER (PARTITION BY device_id ORDER BY time) AS prev FROM points)
  SELECT o.device_id, o.prev AS gap_from, o.time AS gap_to
  FROM ordered o JOIN live l ON l.id = o.device_id
  WHERE o.time - o.prev > make_interval(secs => ${GAP_FACTOR} * l.expected_interval_s)
  ORDER BY o.device_id, o.prev`;

/**
 * Silent gaps per device of a facility over a period: stretches longer than 3× the device's expected
 * interval without any stored message, including from the start of the period (or the device's
 * registration) to its first message and from its last message to the end (capped at `now`).
 */
export async function dataGaps(db: Queryable, query: DataGapsQuery): Promise<DeviceCoverage[]> {
  const parsed = dataGapsQuerySchema.safeParse(query);
  if (!parsed.success) throw HistoryQueryInvalid(parsed.error.issues.map((i) => i.message).join('; '));
  const q = parsed.data;
  const to = new Date(Math.min(q.to.getTime(), (q.now ?? new Date()).getTime()));
  const params = [q.facility, q.from, to, q.devices ?? null];
  const [devices, gaps] = await Promise.all([
    db.query(`${DEVICES} ORDER BY id`, params),
    to > q.from ? db.query(DATA_GAPS_SQL, params) : Promise.resolve({ rows: [] }),
  ]);
  const byDevice = new Map<string, Gap[]>();
  for (const row of gaps.rows) {
    const list = byDevice.get(row.device_id) ?? [];
    list.push({ from: row.gap_from, to: row.gap_to, seconds: (row.gap_to - row.gap_from) / 1000 });
    byDevice.set(row.device_id, list);
  }
  return devices.rows
    .filter((d) => d.p_from < d.p_to)
    .map((d) => {
      const list = byDevice.get(d.id) ?? [];
      const silentSeconds = list.reduce((sum, gap) => sum + gap.seconds, 0);
      const periodSeconds = (d.p_to - d.p_from) / 1000;
      return {
        device: d.id,
        kind: d.kind,
        resident: d.resident_id,
        location: d.location_id,
        expectedIntervalS: d.expected_interval_s,
        from: d.p_from,
        to: d.p_to,
        gaps: list,
        silentSeconds,
        onlineShare: periodSeconds > 0 ? 1 - silentSeconds / periodSeconds : 0,
      };
    });
}
