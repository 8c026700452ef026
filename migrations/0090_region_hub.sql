-- Up Migration
-- The regional hub's tables (docs/hub.md "Schema"), in the one migration set: a hub database and a facility
-- database share the schema (a facility's own region_* tables stay empty), so one `vigil db migrate` and one test
-- template serve both. Everything here is pseudonymous: the messages carry no resident name, id or vital sign.
-- Keys are the facility plus its own identity of the fact, so duplicates and any delivery order are harmless.

-- One row per facility heard from: the newest time any of its messages carries (its live status is its newest
-- summary in region_summaries).
CREATE TABLE region_facilities (
  facility_id   text PRIMARY KEY,
  last_heard_at timestamptz NOT NULL
);

-- Every alert lifecycle event, append-only; (facility, event id) is the identity.
CREATE TABLE region_alert_events (
  facility_id     text NOT NULL,
  event_id        bigint NOT NULL,
  at              timestamptz NOT NULL,
  type            text NOT NULL,
  alert_id        uuid NOT NULL,
  rule            text NOT NULL,
  priority        text NOT NULL,
  status          text NOT NULL,
  resident        text,
  device_id       text,
  location_id     text,
  drill           boolean NOT NULL,
  escalation      smallint NOT NULL,
  raised_at       timestamptz NOT NULL,
  acknowledged_at timestamptz,
  resolved_at     timestamptz,
  received_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, event_id, at)
);
SELECT create_hypertable('region_alert_events', 'at', chunk_time_interval => interval '30 days');
CREATE INDEX region_alert_events_alert_idx ON region_alert_events (facility_id, alert_id, event_id DESC);
CREATE INDEX region_alert_events_raised_idx ON region_alert_events (facility_id, raised_at DESC);

-- Each alert as of its newest event, whatever order the events arrived in.
CREATE VIEW region_alerts AS
  SELECT DISTINCT ON (facility_id, alert_id) *
    FROM region_alert_events
   ORDER BY facility_id, alert_id, event_id DESC;

-- Device status changes (history) and each device's newest state (upsert-if-newer by time).
CREATE TABLE region_device_status (
  facility_id text NOT NULL,
  device_id   text NOT NULL,
  at          timestamptz NOT NULL,
  online      boolean NOT NULL,
  PRIMARY KEY (facility_id, device_id, at)
);
SELECT create_hypertable('region_device_status', 'at', chunk_time_interval => interval '30 days');

CREATE TABLE region_devices (
  facility_id text NOT NULL,
  device_id   text NOT NULL,
  at          timestamptz NOT NULL,
  online      boolean NOT NULL,
  PRIMARY KEY (facility_id, device_id)
);

-- Every periodic summary: the facility's coverage and status trend.
CREATE TABLE region_summaries (
  facility_id     text NOT NULL,
  at              timestamptz NOT NULL,
  interval_s      integer NOT NULL,
  open_alerts     jsonb NOT NULL,
  devices_online  integer NOT NULL,
  devices_offline integer NOT NULL,
  coverage_score  real,
  PRIMARY KEY (facility_id, at)
);
SELECT create_hypertable('region_summaries', 'at', chunk_time_interval => interval '30 days');

-- Down Migration
DROP VIEW region_alerts;
DROP TABLE region_summaries, region_devices, region_device_status, region_alert_events, region_facilities;
