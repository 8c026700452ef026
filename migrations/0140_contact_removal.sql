-- Up Migration
-- A family contact removed through the api (docs/homecare.md "Family contacts"): kept for the record of whom past
-- notifications went to, with consent withdrawn and the phone number erased; its endpoints are disabled.
ALTER TABLE resident_contacts ADD COLUMN removed_at timestamptz;

-- Down Migration
ALTER TABLE resident_contacts DROP COLUMN removed_at;
