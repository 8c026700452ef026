-- Up Migration
-- A work order per dwelling alert (docs/homecare.md "Work orders"). alert_id is unique: a redelivered alert event
-- finds its order instead of opening another. No foreign key to alerts: the alerts service may publish an event
-- before its row commits.
CREATE TABLE work_orders (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  facility_id     vigil_id NOT NULL REFERENCES facilities (id),
  location_id     vigil_id NOT NULL,
  resident_id     vigil_id,
  alert_id        uuid NOT NULL UNIQUE,
  rule            text NOT NULL,
  priority        text NOT NULL,
  status          text NOT NULL CHECK (status IN ('offered', 'accepted', 'en_route', 'on_site', 'done', 'cancelled')),
  offered_to      text[] NOT NULL,
  assignee        vigil_id REFERENCES users (id),
  created_at      timestamptz NOT NULL,
  on_site_due_at  timestamptz NOT NULL,
  accepted_at     timestamptz,
  en_route_at     timestamptz,
  on_site_at      timestamptz,
  done_at         timestamptz,
  done_by         vigil_id,
  escalated_at    timestamptz,
  escalated_to    text[],
  cancelled_at    timestamptz,
  note            text
);
CREATE INDEX work_orders_open_idx ON work_orders (facility_id, created_at) WHERE status NOT IN ('done', 'cancelled');
CREATE INDEX work_orders_unaccepted_idx ON work_orders (created_at) WHERE status = 'offered' AND escalated_at IS NULL;

-- Down Migration
DROP TABLE work_orders;
