-- Up Migration
-- devices.online, battery and last_seen_at have one writer (the store's device-state update), used by the gateway
-- (connect, disconnect, Last Will: its own clock) and by ingest (readings, events, status messages: the device's
-- time, never later than when ingest received it). state_at / battery_at are the times of the state the row holds;
-- an update older than them leaves it as is, so a buffered ingest batch committing after a newer disconnect no
-- longer shows the device online.
ALTER TABLE devices ADD COLUMN state_at timestamptz, ADD COLUMN battery_at timestamptz;
UPDATE devices SET state_at = last_seen_at, battery_at = last_seen_at;

-- Down Migration
ALTER TABLE devices DROP COLUMN state_at, DROP COLUMN battery_at;
