-- Up Migration
-- Hourly rollups maintained by the ingest service's node-cron job. Ordinary tables, because the Apache
-- edition of TimescaleDB has no continuous aggregates. They outlive the raw readings (retention drops
-- raw chunks only), so long-range history keeps working after 180 days.

-- Per device and hour, per resident the device was worn by (resident_id is denormalised on each vitals row).
-- Sums and counts, not averages, so rows combine exactly into coarser buckets and across devices.
CREATE TABLE vitals_hourly (
  bucket          timestamptz NOT NULL,
  device_id       text NOT NULL,
  facility_id     text NOT NULL,
  resident_id     text,
  samples         integer NOT NULL,
  hr_count        integer NOT NULL, hr_sum        double precision, hr_min        real, hr_max        real,
  spo2_count      integer NOT NULL, spo2_sum      double precision, spo2_min      real, spo2_max      real,
  rr_count        integer NOT NULL, rr_sum        double precision, rr_min        real, rr_max        real,
  sbp_count       integer NOT NULL, sbp_sum       double precision, sbp_min       real, sbp_max       real,
  dbp_count       integer NOT NULL, dbp_sum       double precision, dbp_min       real, dbp_max       real,
  skin_temp_count integer NOT NULL, skin_temp_sum double precision, skin_temp_min real, skin_temp_max real
);
CREATE UNIQUE INDEX vitals_hourly_identity_idx ON vitals_hourly (device_id, bucket, resident_id) NULLS NOT DISTINCT;
CREATE INDEX vitals_hourly_resident_idx ON vitals_hourly (facility_id, resident_id, bucket);
CREATE INDEX vitals_hourly_bucket_idx ON vitals_hourly (bucket);

CREATE TABLE device_events_hourly (
  bucket      timestamptz NOT NULL,
  device_id   text NOT NULL,
  facility_id text NOT NULL,
  type        text NOT NULL,
  events      integer NOT NULL,
  PRIMARY KEY (device_id, bucket, type)
);
CREATE INDEX device_events_hourly_facility_idx ON device_events_hourly (facility_id, bucket);
CREATE INDEX device_events_hourly_bucket_idx ON device_events_hourly (bucket);

-- How far the rollups are complete: every hour before done_until has been rolled up.
CREATE TABLE ingest_rollup_state (
  job        text PRIMARY KEY,
  done_until timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Hours that received rows after they may have been rolled up (readings delivered late, after an outage
-- or a device's offline spell). Ingest marks them in the same transaction as the rows; the next rollup
-- run recomputes them.
CREATE TABLE ingest_rollup_dirty (
  bucket    timestamptz PRIMARY KEY,
  marked_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE ingest_rollup_dirty, ingest_rollup_state, device_events_hourly, vitals_hourly;
