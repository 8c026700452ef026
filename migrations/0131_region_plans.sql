-- Up Migration
-- The regional hub's copy of each facility's emergency plans and their drills (docs/hub.md "Messages", kind
-- `plan`): one row per (facility, plan), replaced only by a record with a newer `at`, so duplicates and any order
-- of arrival give the same row. Pseudonymous: no title, document, participants' names or findings text.
CREATE TABLE region_plans (
  facility_id       text NOT NULL,
  plan_id           text NOT NULL,
  at                timestamptz NOT NULL,
  kind              text NOT NULL,
  filing_status     text NOT NULL,
  filing_changed_at timestamptz NOT NULL,
  review_due        date NOT NULL,
  drill_every_days  integer NOT NULL,
  created_at        timestamptz NOT NULL,
  document_version  integer,
  -- [{id, scheduledFor, ranAt, participants (a count), acknowledgeS, resolveS}], as sent.
  drills            jsonb NOT NULL,
  PRIMARY KEY (facility_id, plan_id)
);

-- Down Migration
DROP TABLE region_plans;
