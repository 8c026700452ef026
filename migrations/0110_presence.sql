-- Presence at the resident (DIN VDE 0834; docs/alerts.md "Lifecycle"): acknowledging says who is going, presence
-- that somebody is there (the room's call button `presence` event, or marked on the display), resolving closes it.
ALTER TABLE alerts ADD COLUMN present_at timestamptz, ADD COLUMN present_by text;

ALTER TABLE alert_events DROP CONSTRAINT alert_events_type_check;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_type_check
  CHECK (type IN ('raised', 'updated', 'escalated', 'acknowledged', 'presence', 'resolved', 'auto_cleared'));

ALTER TABLE alert_commands DROP CONSTRAINT alert_commands_command_check;
ALTER TABLE alert_commands ADD CONSTRAINT alert_commands_command_check
  CHECK (command IN ('acknowledge', 'presence', 'resolve', 'drill'));
