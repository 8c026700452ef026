-- Up Migration
-- Several alerts workers may share one database, each owning a disjoint set of facilities (docs/alerts.md
-- "Workers"). Event ids are numbered per facility from now on: the key of alert_events becomes (facility, id).
-- Existing rows keep their ids: the hash of every event covers its id, so renumbering would rewrite the evidence
-- (docs/DATABASE.md). Each facility's numbering continues after its highest id, gap-free from then on.
ALTER TABLE alert_events DROP CONSTRAINT alert_events_pkey;
ALTER TABLE alert_events ADD PRIMARY KEY (facility_id, id);
-- The new primary key's index serves what this one did.
DROP INDEX alert_events_facility_idx;

-- Which worker (its MQTT client id) evaluates a facility, alerts on it and numbers its events: never two at once.
-- A worker claims its facilities at start and releases them on a clean close with nothing left to store.
CREATE TABLE alert_facility_owners (
  facility_id vigil_id PRIMARY KEY REFERENCES facilities (id),
  worker      text NOT NULL,
  claimed_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE alert_facility_owners;
CREATE INDEX alert_events_facility_idx ON alert_events (facility_id, id);
ALTER TABLE alert_events DROP CONSTRAINT alert_events_pkey;
ALTER TABLE alert_events ADD PRIMARY KEY (id);
