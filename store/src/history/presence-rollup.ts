/**
 * The hourly presence rollup (`device_presence_hourly`, migration 0130) that the coverage audit reads for whole
 * hours instead of the raw rows (docs/ARCHITECTURE.md "Coverage audit"). A message shows a device working when it
 * is a reading, an event or a status saying it is online (the same evidence as `dataGaps`); batteries come from
 * readings and every status row.
 */

/**
 * The raw rows the rollup summarises and the audit reads where there is no usable rollup (`bounded`: the condition
 * on each table, on `device_id`, `facility_id` and `time`); `presence` marks the evidence of a working device.
 */
export const presenceSources = (bounded: string): string => `
    SELECT device_id, facility_id, time, true AS presence, battery FROM vitals WHERE ${bounded}
    UNION ALL SELECT device_id, facility_id, time, true, battery FROM environment WHERE ${bounded}
    UNION ALL SELECT device_id, facility_id, time, true, NULL::real FROM device_events WHERE ${bounded}
    UNION ALL SELECT device_id, facility_id, time, source = 'status' AND online, battery FROM device_status
      WHERE ${bounded} AND ((source = 'status' AND online) OR battery IS NOT NULL)`;

/** Recomputes the presence rollup of [$1, $2) (whole hours; the caller deletes them first). */
export const PRESENCE_ROLLUP_SQL = `
  INSERT INTO device_presence_hourly (bucket, device_id, facility_id, messages, first_at, last_at, max_gap, min_battery)
  SELECT bucket, device_id, min(facility_id), count(*) FILTER (WHERE presence), min(time) FILTER (WHERE presence),
         max(time) FILTER (WHERE presence), max(gap), min(battery)
  FROM (
    SELECT time_bucket('1 hour', time) AS bucket, device_id, facility_id, time, presence, battery,
           CASE WHEN presence
                THEN time - lag(time) OVER (PARTITION BY device_id, time_bucket('1 hour', time), presence ORDER BY time)
           END AS gap
    FROM (${presenceSources('time >= $1 AND time < $2')}) u
  ) w
  GROUP BY bucket, device_id`;

export const PRESENCE_DELETE_SQL = 'DELETE FROM device_presence_hourly WHERE bucket >= $1 AND bucket < $2';

/** Every hour before this has been rolled up (`-infinity` before the job's first run). */
export const ROLLED_UNTIL = `coalesce((SELECT done_until FROM ingest_rollup_state WHERE job = 'hourly'), '-infinity'::timestamptz)`;

/** The first hour boundary at or after a time (UTC hours, as `time_bucket` buckets them). */
export const ceilHour = (t: string): string =>
  `(time_bucket('1 hour', ${t}) + CASE WHEN time_bucket('1 hour', ${t}) = ${t} THEN interval '0' ELSE interval '1 hour' END)`;

/** An hour's rollup is usable unless late rows arrived for it after it was rolled up (it is then read raw). */
export const notDirty = (bucket: string): string =>
  `NOT EXISTS (SELECT 1 FROM ingest_rollup_dirty dirty WHERE dirty.bucket = ${bucket})`;
