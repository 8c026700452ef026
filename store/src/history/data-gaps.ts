import type { Queryable } from '@vigil/core';
import { idSchema, type DeviceKind } from '@vigil/protocol';
import { z } from 'zod';
import { HistoryQueryInvalid } from '../errors.js';
import { ceilHour, notDirty, presenceSources, ROLLED_UNTIL } from './presence-rollup.js';
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
const SILENT = (interval: string) => `${interval} > make_interval(secs => ${GAP_FACTOR} * s.expected_interval_s)`;

/**
 * The gaps statement ($1 facility, $2 from, $3 to, $4 devices or null); exported for its query plan. Whole hours
 * come from the presence rollup (migration 0130): an hour whose longest interval is not silent is one segment from
 * its first to its last message; the edges of each device's period, hours not rolled up yet or marked late, and
 * hours with a silent interval inside are read from the raw rows (by device and time, so only their chunks).
 * Gaps are the silent stretches between consecutive segments, exactly as between consecutive raw messages.
 */
export const DATA_GAPS_SQL = `
  WITH live AS (SELECT * FROM (${DEVICES}) d WHERE p_from < p_to),
  span AS (
    SELECT id, p_from, p_to, expected_interval_s, ${ceilHour('p_from')} AS lo,
           least(time_bucket('1 hour', p_to), ${ROLLED_UNTIL}) AS hi
    FROM live),
  hours AS (
    SELECT r.device_id, r.bucket, r.messages, r.first_at, r.last_at, coalesce(${SILENT('r.max_gap')}, false) AS gappy
    FROM span s JOIN device_presence_hourly r ON r.device_id = s.id AND r.bucket >= s.lo AND r.bucket < s.hi
    WHERE r.bucket >= $2 AND r.bucket < $3 AND ${notDirty('r.bucket')}),
  ranges AS (
    SELECT * FROM (
      SELECT id AS device_id, p_from AS r_from, CASE WHEN lo < hi THEN lo ELSE p_to END AS r_to FROM span
      UNION ALL SELECT id, hi, p_to FROM span WHERE lo < hi
      UNION ALL SELECT s.id, d.bucket, d.bucket + interval '1 hour'
        FROM span s JOIN ingest_rollup_dirty d ON d.bucket >= s.lo AND d.bucket < s.hi
      UNION ALL SELECT device_id, bucket, bucket + interval '1 hour' FROM hours WHERE gappy
    ) r WHERE r_from < r_to),
  msgs AS (
    SELECT r.device_id, m.time FROM ranges r
    CROSS JOIN LATERAL (${presenceSources('device_id = r.device_id AND time >= r.r_from AND time < r.r_to AND time >= $2 AND time < $3')}) m
    WHERE m.presence),
  segments AS (
    SELECT id AS device_id, p_from AS seg_from, p_from AS seg_to FROM live
    UNION ALL
    SELECT m.device_id, m.time, m.time FROM msgs m JOIN live l ON l.id = m.device_id WHERE m.time > l.p_from AND m.time < l.p_to
    UNION ALL
    SELECT device_id, first_at, last_at FROM hours WHERE messages > 0 AND NOT gappy
    UNION ALL
    -- Beyond the raw retention a silent hour's messages are gone: its first and last still bound the gap.
    SELECT device_id, t, t FROM hours CROSS JOIN LATERAL (VALUES (first_at), (last_at)) v(t) WHERE gappy
    UNION ALL
    SELECT id, p_to, p_to FROM live
  ),
  ordered AS (
    SELECT device_id, seg_from, lag(seg_to) OVER (PARTITION BY device_id ORDER BY seg_from, seg_to) AS prev FROM segments)
  SELECT o.device_id, o.prev AS gap_from, o.seg_from AS gap_to
  FROM ordered o JOIN live s ON s.id = o.device_id
  WHERE ${SILENT('o.seg_from - o.prev')}
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
  // One after the other: the coverage audit passes a single connection.
  const devices = await db.query(`${DEVICES} ORDER BY id`, params);
  const gaps = to > q.from ? await db.query(DATA_GAPS_SQL, params) : { rows: [] };
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
