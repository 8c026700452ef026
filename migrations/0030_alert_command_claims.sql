-- Up Migration
-- The alerts service claims a command (claimed_at) before applying it, and never picks up a claimed one
-- again; the api withdraws only unclaimed commands. So a command the api answered with a timeout is never
-- applied later, and a command being applied is never withdrawn under the alerts service's feet.
ALTER TABLE alert_commands ADD COLUMN claimed_at timestamptz;
DROP INDEX alert_commands_pending_idx;
CREATE INDEX alert_commands_pending_idx ON alert_commands (id) WHERE processed_at IS NULL AND claimed_at IS NULL;

-- Down Migration
DROP INDEX alert_commands_pending_idx;
CREATE INDEX alert_commands_pending_idx ON alert_commands (id) WHERE processed_at IS NULL;
ALTER TABLE alert_commands DROP COLUMN claimed_at;
