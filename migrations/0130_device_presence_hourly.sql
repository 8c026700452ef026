-- Up Migration
-- Per device and hour, what the coverage audit needs instead of the raw rows
-- (docs/ARCHITECTURE.md "Coverage audit"): how many messages showed the device working (any reading, event, or
-- a status saying it is online), the first and last of them, the longest interval between two of them inside the
-- hour, and the lowest battery any reading or status reported. Maintained by ingest's hourly rollup job with the
-- other rollups (0020); an hour with an interval longer than a device's silence threshold is read from the raw
-- rows, so the audit's gaps stay exact.
CREATE TABLE device_presence_hourly (
  bucket      timestamptz NOT NULL,
  device_id   text NOT NULL,
  facility_id text NOT NULL,
  messages    integer NOT NULL,
  first_at    timestamptz,
  last_at     timestamptz,
  max_gap     interval,
  min_battery real,
  PRIMARY KEY (device_id, bucket)
);
CREATE INDEX device_presence_hourly_facility_idx ON device_presence_hourly (facility_id, bucket);
CREATE INDEX device_presence_hourly_bucket_idx ON device_presence_hourly (bucket);

-- The hours rolled up before this table existed (the rollup job covers the later ones).
INSERT INTO device_presence_hourly (bucket, device_id, facility_id, messages, first_at, last_at, max_gap, min_battery)
SELECT bucket, device_id, min(facility_id), count(*) FILTER (WHERE presence), min(time) FILTER (WHERE presence),
       max(time) FILTER (WHERE presence), max(gap), min(battery)
FROM (
  SELECT time_bucket('1 hour', time) AS bucket, device_id, facility_id, time, presence, battery,
         CASE WHEN presence THEN time - lag(time) OVER (PARTITION BY device_id, time_bucket('1 hour', time), presence ORDER BY time) END AS gap
  FROM (
    SELECT device_id, facility_id, time, true AS presence, battery FROM vitals
    UNION ALL SELECT device_id, facility_id, time, true, battery FROM environment
    UNION ALL SELECT device_id, facility_id, time, true, NULL::real FROM device_events
    UNION ALL SELECT device_id, facility_id, time, source = 'status' AND online, battery FROM device_status
      WHERE (source = 'status' AND online) OR battery IS NOT NULL
  ) u
  WHERE time < (SELECT done_until FROM ingest_rollup_state WHERE job = 'hourly')
) w
GROUP BY bucket, device_id;

-- Down Migration
DROP TABLE device_presence_hourly;
