-- Up Migration
-- Privacy and management (issue 12 items 2–5): consent per resident, discharge, retention per data class,
-- alert assignment, and the facility an audit entry concerns (so officers read only their facility's log).

-- Consent of a resident (PIPL Art. 29: separate consent for sensitive personal information). One current row
-- per resident; every change is also an audit_log entry. No row = no consent: vital signs are not shown.
CREATE TABLE resident_consents (
  facility_id          vigil_id NOT NULL,
  resident_id          vigil_id NOT NULL,
  vitals               boolean NOT NULL,
  location             boolean NOT NULL,
  family_notification  boolean NOT NULL,
  recorded_by          text NOT NULL,
  recorded_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, resident_id),
  FOREIGN KEY (facility_id, resident_id) REFERENCES residents (facility_id, id) ON DELETE CASCADE
);

-- Discharge starts the retention clock; erasure (after discharge + retention) removes name, thresholds and
-- vital signs and keeps the pseudonymous row that alerts still refer to.
ALTER TABLE residents ADD COLUMN discharged_at timestamptz, ADD COLUMN erased_at timestamptz;

-- Days kept per data class; a class without a row uses the ingest's VIGIL_RETENTION_DAYS. Alerts are no class:
-- alert_events are append-only and hash-chained, the evidence of every response (docs/DATABASE.md
-- "Retention and erasure").
CREATE TABLE retention_settings (
  data_class  text PRIMARY KEY CHECK (data_class IN ('vitals', 'environment', 'events', 'audit')),
  days        integer NOT NULL CHECK (days > 0),
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Who is looking after an alert. Not lifecycle state (status, escalation and the hash chain do not depend on
-- it), so the api writes it here and the alerts service stays the only writer of alerts and alert_events.
CREATE TABLE alert_assignments (
  alert_id     uuid PRIMARY KEY REFERENCES alerts (id),
  facility_id  vigil_id NOT NULL REFERENCES facilities (id),
  assignee     vigil_id NOT NULL,
  assigned_by  text NOT NULL,
  assigned_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_assignments_assignee_idx ON alert_assignments (assignee, facility_id);
-- The alert list's filters and its (raised_at, id) keyset order, newest first.
CREATE INDEX alerts_priority_idx ON alerts (facility_id, priority, raised_at DESC);
CREATE INDEX alerts_facility_page_idx ON alerts (facility_id, raised_at DESC, id DESC);

ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS facility_id text;
CREATE INDEX IF NOT EXISTS audit_log_facility_idx ON audit_log (facility_id, id DESC);

-- Down Migration
DROP INDEX IF EXISTS audit_log_facility_idx;
ALTER TABLE audit_log DROP COLUMN IF EXISTS facility_id;
DROP INDEX alerts_facility_page_idx, alerts_priority_idx;
DROP TABLE alert_assignments, retention_settings, resident_consents;
ALTER TABLE residents DROP COLUMN discharged_at, DROP COLUMN erased_at;
