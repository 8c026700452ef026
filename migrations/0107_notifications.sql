-- Up Migration
-- Notifications to people (docs/homecare.md "Notifications"). An endpoint belongs to a user, a family contact, or
-- (neither) the station itself, e.g. a WeCom group robot. target holds the address, URL or push subscription and,
-- for webhooks, the signing secret.
CREATE TABLE notification_endpoints (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  user_id     vigil_id REFERENCES users (id),
  contact_id  bigint REFERENCES resident_contacts (id),
  channel     text NOT NULL CHECK (channel IN ('push', 'email', 'webhook', 'wecom', 'dingtalk')),
  target      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  CHECK (user_id IS NULL OR contact_id IS NULL)
);
CREATE INDEX notification_endpoints_facility_idx ON notification_endpoints (facility_id) WHERE disabled_at IS NULL;

-- A user's preferences: which rules and priorities reach them on which channel. No row for a channel: everything.
CREATE TABLE notification_preferences (
  user_id    vigil_id NOT NULL REFERENCES users (id),
  channel    text NOT NULL CHECK (channel IN ('push', 'email', 'webhook', 'wecom', 'dingtalk')),
  rules      text[],                      -- NULL: every rule
  priorities text[] NOT NULL,
  PRIMARY KEY (user_id, channel)
);

-- Quiet hours (local time of the facility): only critical alerts are sent inside them.
CREATE TABLE notification_quiet_hours (
  user_id vigil_id PRIMARY KEY REFERENCES users (id),
  starts  time NOT NULL,
  ends    time NOT NULL
);

-- Every delivery with its outcome; unique per (endpoint, work order, reason), so a redelivered event sends nothing new.
CREATE TABLE notification_deliveries (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id   bigint NOT NULL REFERENCES notification_endpoints (id),
  work_order_id uuid NOT NULL REFERENCES work_orders (id),
  reason        text NOT NULL CHECK (reason IN ('offered', 'escalated', 'family')),
  status        text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
  attempts      integer NOT NULL DEFAULT 0,
  next_at       timestamptz NOT NULL,
  last_error    text,
  created_at    timestamptz NOT NULL,
  sent_at       timestamptz,
  UNIQUE (endpoint_id, work_order_id, reason)
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_at) WHERE status = 'pending';

-- Down Migration
DROP TABLE notification_deliveries, notification_quiet_hours, notification_preferences, notification_endpoints;
