-- Up Migration
-- Vigil foundation schema. Apache-licensed TimescaleDB features only (hypertables, time_bucket, drop_chunks).
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE DOMAIN vigil_id AS text CHECK (VALUE ~ '^[A-Za-z0-9_-]{1,64}$');

-- ---------------------------------------------------------------- registry (relational)
CREATE TABLE facilities (
  id          vigil_id PRIMARY KEY,
  name        text NOT NULL,
  region      vigil_id NOT NULL,
  timezone    text NOT NULL,                       -- IANA zone; night windows are judged in it
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,  -- rule overrides for the facility
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facilities_region_idx ON facilities (region);

CREATE TABLE locations (
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  id          vigil_id NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('room', 'bathroom', 'kitchen', 'corridor', 'exit', 'board', 'dwelling')),
  name        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, id)
);

CREATE TABLE residents (
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  id          vigil_id NOT NULL,
  -- Regulators see only the pseudonym, never name or id-derived data.
  pseudonym   text NOT NULL DEFAULT ('R-' || substr(md5(random()::text || clock_timestamp()::text), 1, 10)) UNIQUE,
  name        text,
  care_level  text NOT NULL CHECK (care_level IN ('self-care', 'semi-dependent', 'fully-dependent')),
  fall_risk   text NOT NULL DEFAULT 'none' CHECK (fall_risk IN ('none', 'at-risk', 'high')),
  wander_risk boolean NOT NULL DEFAULT false,
  location_id vigil_id,                             -- the resident's room
  thresholds  jsonb NOT NULL DEFAULT '{}'::jsonb,   -- per-resident rule overrides
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, id),
  FOREIGN KEY (facility_id, location_id) REFERENCES locations (facility_id, id)
);

-- Device ids are global: they are the MQTT client id and username.
CREATE TABLE devices (
  id                  vigil_id PRIMARY KEY,
  facility_id         vigil_id NOT NULL REFERENCES facilities (id),
  kind                text NOT NULL CHECK (kind IN ('wristband', 'bedmat', 'smoke', 'gas', 'electrical', 'door', 'pir', 'button')),
  location_id         vigil_id,
  resident_id         vigil_id,
  secret_hash         text NOT NULL,                -- argon2id; the secret itself is shown once at registration
  expected_interval_s integer NOT NULL CHECK (expected_interval_s > 0),
  created_at          timestamptz NOT NULL DEFAULT now(),
  retired_at          timestamptz,
  -- Current state, maintained in batches by ingest and by the gateway (not a write per message).
  last_seen_at        timestamptz,
  online              boolean,
  battery             real,
  fw                  text,
  FOREIGN KEY (facility_id, location_id) REFERENCES locations (facility_id, id),
  FOREIGN KEY (facility_id, resident_id) REFERENCES residents (facility_id, id)
);
CREATE INDEX devices_facility_idx ON devices (facility_id, kind);
CREATE INDEX devices_resident_idx ON devices (facility_id, resident_id) WHERE resident_id IS NOT NULL;

-- MQTT accounts of Vigil's own services (ingest, alerts, api, bridge) with wider subscribe rights.
CREATE TABLE service_accounts (
  id          vigil_id PRIMARY KEY,
  role        text NOT NULL CHECK (role IN ('ingest', 'alerts', 'api', 'bridge', 'simulator')),
  secret_hash text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz
);

CREATE TABLE users (
  id          vigil_id PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('caregiver', 'safety-officer', 'regulator', 'admin')),
  facility_id vigil_id REFERENCES facilities (id),
  region      vigil_id,
  created_at  timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  CHECK ((role IN ('caregiver', 'safety-officer') AND facility_id IS NOT NULL)
      OR (role = 'regulator' AND region IS NOT NULL)
      OR role = 'admin')
);

-- Bearer tokens: random, high-entropy, stored as sha256. A display token is facility-scoped and has no user.
CREATE TABLE api_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash  bytea NOT NULL UNIQUE,
  role        text NOT NULL CHECK (role IN ('caregiver', 'safety-officer', 'regulator', 'admin', 'display')),
  user_id     vigil_id REFERENCES users (id),
  facility_id vigil_id REFERENCES facilities (id),
  region      vigil_id,
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  revoked_at  timestamptz,
  CHECK ((role IN ('caregiver', 'safety-officer', 'display') AND facility_id IS NOT NULL)
      OR (role = 'regulator' AND region IS NOT NULL)
      OR role = 'admin')
);

CREATE TABLE coverage_policies (
  facility_id vigil_id PRIMARY KEY REFERENCES facilities (id),
  policy      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  action  text NOT NULL,
  target  text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- ---------------------------------------------------------------- time series (hypertables)
-- Idempotency: one row per (device, ts, seq); QoS 1 redeliveries and replays are absorbed by the unique index.
CREATE TABLE vitals (
  time        timestamptz NOT NULL,
  device_id   vigil_id NOT NULL,
  seq         bigint NOT NULL,
  facility_id vigil_id NOT NULL,
  resident_id vigil_id,
  hr          real,
  spo2        real,
  rr          real,
  sbp         real,
  dbp         real,
  skin_temp   real,
  worn        boolean,
  occupied    boolean,
  motion      real,
  sleep       text,
  battery     real,
  received_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('vitals', 'time', chunk_time_interval => interval '1 day');
CREATE UNIQUE INDEX vitals_identity_idx ON vitals (device_id, time, seq);
CREATE INDEX vitals_resident_idx ON vitals (facility_id, resident_id, time DESC);

CREATE TABLE environment (
  time        timestamptz NOT NULL,
  device_id   vigil_id NOT NULL,
  seq         bigint NOT NULL,
  facility_id vigil_id NOT NULL,
  location_id vigil_id,
  smoke       real,
  temp        real,
  lel         real,
  co          real,
  residual_ma real,
  cable_temp  real,
  current_a   real,
  open        boolean,
  motion      real,
  battery     real,
  received_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('environment', 'time', chunk_time_interval => interval '1 day');
CREATE UNIQUE INDEX environment_identity_idx ON environment (device_id, time, seq);
CREATE INDEX environment_location_idx ON environment (facility_id, location_id, time DESC);

CREATE TABLE device_events (
  time        timestamptz NOT NULL,
  device_id   vigil_id NOT NULL,
  seq         bigint NOT NULL,
  facility_id vigil_id NOT NULL,
  type        text NOT NULL,
  confidence  real,
  received_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('device_events', 'time', chunk_time_interval => interval '7 days');
CREATE UNIQUE INDEX device_events_identity_idx ON device_events (device_id, time, seq);
CREATE INDEX device_events_facility_idx ON device_events (facility_id, time DESC);

-- Status changes: published status messages, and connect / disconnect / Last Will seen by the gateway
-- (those carry seq = -1 and the broker's time).
CREATE TABLE device_status (
  time        timestamptz NOT NULL,
  device_id   vigil_id NOT NULL,
  seq         bigint NOT NULL DEFAULT -1,
  facility_id vigil_id NOT NULL,
  source      text NOT NULL CHECK (source IN ('status', 'connect', 'disconnect', 'will')),
  online      boolean NOT NULL,
  battery     real,
  fw          text,
  received_at timestamptz NOT NULL DEFAULT now()
);
SELECT create_hypertable('device_status', 'time', chunk_time_interval => interval '7 days');
CREATE UNIQUE INDEX device_status_identity_idx ON device_status (device_id, time, seq, source);

CREATE TABLE dead_letters (
  time         timestamptz NOT NULL DEFAULT now(),
  topic        text NOT NULL,
  facility_id  text,
  device_id    text,
  reason       text NOT NULL,
  payload      bytea NOT NULL,       -- truncated to 4 KiB
  payload_size integer NOT NULL     -- size before truncation
);
SELECT create_hypertable('dead_letters', 'time', chunk_time_interval => interval '7 days');
CREATE INDEX dead_letters_device_idx ON dead_letters (device_id, time DESC);

-- ---------------------------------------------------------------- alerts (never dropped)
CREATE TABLE alerts (
  id               uuid PRIMARY KEY,
  facility_id      vigil_id NOT NULL REFERENCES facilities (id),
  rule             text NOT NULL,
  priority         text NOT NULL CHECK (priority IN ('critical', 'high', 'warning', 'info')),
  status           text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
  subject          text NOT NULL,
  resident_id      vigil_id,
  device_id        vigil_id,
  location_id      vigil_id,
  detail           text NOT NULL,
  drill            boolean NOT NULL DEFAULT false,
  escalation_level smallint NOT NULL DEFAULT 0,
  raised_at        timestamptz NOT NULL,
  occurred_at      timestamptz NOT NULL,
  last_seen_at     timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  resolved_at      timestamptz,
  resolved_by      text,
  outcome          text CHECK (outcome IN ('assisted', 'false_alarm', 'transferred', 'device_fault', 'other', 'auto_cleared')),
  note             text
);
-- Exactly one unresolved alert per (facility, rule, subject).
CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (facility_id, rule, subject) WHERE status <> 'resolved';
CREATE INDEX alerts_facility_status_idx ON alerts (facility_id, status, raised_at DESC);
CREATE INDEX alerts_raised_idx ON alerts (raised_at);

-- Append-only, hash-chained per facility: hash = sha256(prev_hash || canonical event content).
-- Ids are allocated by the alerts service (monotonic; they are the stream's event ids).
CREATE TABLE alert_events (
  id          bigint PRIMARY KEY,
  alert_id    uuid NOT NULL REFERENCES alerts (id),
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  type        text NOT NULL CHECK (type IN ('raised', 'updated', 'escalated', 'acknowledged', 'resolved', 'auto_cleared')),
  at          timestamptz NOT NULL,
  actor       text,
  data        jsonb NOT NULL,        -- the alert as it was after this event
  prev_hash   bytea,
  hash        bytea NOT NULL
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, id);
CREATE INDEX alert_events_facility_idx ON alert_events (facility_id, id);

CREATE FUNCTION vigil_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER alert_events_append_only BEFORE UPDATE OR DELETE ON alert_events
  FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();
CREATE TRIGGER alert_events_no_truncate BEFORE TRUNCATE ON alert_events
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_refuse_change();

-- Commands from the api to the alerts service (acknowledge, resolve, drill): a durable inbox, announced
-- with NOTIFY vigil_alert_commands; the alerts service is the only writer of alerts and alert_events.
CREATE TABLE alert_commands (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id  vigil_id NOT NULL REFERENCES facilities (id),
  alert_id     uuid,
  command      text NOT NULL CHECK (command IN ('acknowledge', 'resolve', 'drill')),
  actor        text NOT NULL,
  args         jsonb NOT NULL DEFAULT '{}'::jsonb,
  requested_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  error_code   text
);
CREATE INDEX alert_commands_pending_idx ON alert_commands (id) WHERE processed_at IS NULL;

-- Down Migration
DROP TABLE alert_commands, alert_events, alerts, dead_letters, device_status, device_events, environment, vitals,
  audit_log, coverage_policies, api_tokens, users, service_accounts, devices, residents, locations, facilities;
DROP FUNCTION vigil_refuse_change();
DROP DOMAIN vigil_id;
