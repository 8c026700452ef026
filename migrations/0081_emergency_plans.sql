-- Up Migration
-- Emergency plans and their drills (docs/ARCHITECTURE.md "Emergency plans and drills"). A plan's document is
-- stored in the database, one row per uploaded version; drills are scheduled per plan and, once run, point
-- at the drill alert raised through the real alerts path, whose times give the response times.

CREATE TABLE emergency_plans (
  facility_id       vigil_id NOT NULL REFERENCES facilities (id),
  id                vigil_id NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('fire', 'gas', 'power-loss', 'wandering', 'medical', 'flood', 'evacuation', 'other')),
  title             text NOT NULL,
  filing_status     text NOT NULL DEFAULT 'draft' CHECK (filing_status IN ('draft', 'filed', 'accepted', 'needs-revision')),
  filing_changed_at timestamptz NOT NULL DEFAULT now(),
  review_due        date NOT NULL,
  drill_every_days  integer NOT NULL DEFAULT 180 CHECK (drill_every_days > 0),
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, id)
);

CREATE TABLE emergency_plan_versions (
  facility_id vigil_id NOT NULL,
  plan_id     vigil_id NOT NULL,
  version     integer NOT NULL CHECK (version > 0),
  filename    text NOT NULL,
  media_type  text NOT NULL,
  document    bytea NOT NULL,
  sha256      bytea NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, plan_id, version),
  FOREIGN KEY (facility_id, plan_id) REFERENCES emergency_plans (facility_id, id)
);
CREATE TRIGGER emergency_plan_versions_append_only BEFORE UPDATE OR DELETE ON emergency_plan_versions
  FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();

CREATE TABLE plan_drills (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id   vigil_id NOT NULL,
  plan_id       vigil_id NOT NULL,
  scheduled_for timestamptz NOT NULL,
  command_id    bigint,
  alert_id      uuid,
  participants  text[] NOT NULL DEFAULT '{}',
  findings      text,
  ran_at        timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (facility_id, plan_id) REFERENCES emergency_plans (facility_id, id)
);
CREATE INDEX plan_drills_plan_idx ON plan_drills (facility_id, plan_id, scheduled_for);

-- Down Migration
DROP TABLE plan_drills, emergency_plan_versions, emergency_plans;
