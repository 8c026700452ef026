-- Up Migration
-- Deleting a facility's coverage policy is a version too (docs/ARCHITECTURE.md "Coverage audit"): a row with no
-- policy, numbered after the last one, so the history shows when the facility went back to the default (version 0)
-- and a policy stored later continues the numbering. Audits from then on apply the default.
ALTER TABLE coverage_policy_versions ALTER COLUMN policy DROP NOT NULL;

CREATE FUNCTION vigil_coverage_policy_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO coverage_policy_versions (facility_id, version, policy, created_at)
    SELECT OLD.facility_id, coalesce(max(version), 0) + 1, NULL, now()
    FROM coverage_policy_versions WHERE facility_id = OLD.facility_id;
  RETURN NULL;
END $$;
CREATE TRIGGER coverage_policies_deleted AFTER DELETE ON coverage_policies
  FOR EACH ROW EXECUTE FUNCTION vigil_coverage_policy_deleted();

-- Down Migration
DROP TRIGGER coverage_policies_deleted ON coverage_policies;
DROP FUNCTION vigil_coverage_policy_deleted();
DELETE FROM coverage_policy_versions WHERE policy IS NULL;
ALTER TABLE coverage_policy_versions ALTER COLUMN policy SET NOT NULL;
