-- Up Migration
-- Receipts (IHE ACM, docs/alerts.md "Receipts"): which display received (delivered) and showed (shown) which event of
-- an alert. `display` is the stream's token or sign-in session id, `label` its actor (a token's label, a user id).
-- Event id 0 stands for the alert as a snapshot carried it. Written by the api, read by the alerts service (an alert
-- no display showed within 10 s is escalated) and the alert detail route.
CREATE TABLE alert_receipts (
  alert_id     uuid NOT NULL,
  event_id     bigint NOT NULL CHECK (event_id >= 0),
  display      text NOT NULL,
  facility_id  vigil_id NOT NULL,
  label        text NOT NULL,
  delivered_at timestamptz,
  shown_at     timestamptz,
  PRIMARY KEY (alert_id, event_id, display)
);
CREATE INDEX alert_receipts_shown_idx ON alert_receipts (alert_id, shown_at) WHERE shown_at IS NOT NULL;

-- Down Migration
DROP TABLE alert_receipts;
