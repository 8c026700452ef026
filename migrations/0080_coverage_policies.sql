-- Up Migration
-- Coverage audit (docs/ARCHITECTURE.md "Coverage audit"): residents' assessed risks (GB 38600 九防) and
-- versioned coverage policies. Every write of coverage_policies, by whichever route, becomes a new version;
-- an audit names the version it applied, so old versions are kept and never change.

ALTER TABLE residents ADD COLUMN risks text[] NOT NULL DEFAULT '{}'
  CHECK (risks <@ ARRAY['falls', 'falls-from-bed', 'wandering', 'choking', 'aspiration', 'scalds',
                        'pressure-sores', 'self-harm', 'harm-by-others']::text[]);

ALTER TABLE coverage_policies ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE coverage_policy_versions (
  facility_id vigil_id NOT NULL REFERENCES facilities (id),
  version     integer NOT NULL CHECK (version > 0),
  policy      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_id, version)
);
CREATE TRIGGER coverage_policy_versions_append_only BEFORE UPDATE OR DELETE ON coverage_policy_versions
  FOR EACH ROW EXECUTE FUNCTION vigil_refuse_change();

-- The version is numbered before the write and recorded after it: an INSERT … ON CONFLICT DO UPDATE fires the
-- BEFORE INSERT trigger too, but only the row actually written gets an AFTER trigger.
CREATE FUNCTION vigil_coverage_policy_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.policy = OLD.policy THEN
    NEW.version := OLD.version;
    RETURN NEW;
  END IF;
  SELECT coalesce(max(version), 0) + 1 INTO NEW.version FROM coverage_policy_versions WHERE facility_id = NEW.facility_id;
  NEW.updated_at := now();
  RETURN NEW;
END $$;
CREATE TRIGGER coverage_policies_number BEFORE INSERT OR UPDATE ON coverage_policies
  FOR EACH ROW EXECUTE FUNCTION vigil_coverage_policy_number();

CREATE FUNCTION vigil_coverage_policy_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.version <> OLD.version THEN
    INSERT INTO coverage_policy_versions (facility_id, version, policy, created_at)
      VALUES (NEW.facility_id, NEW.version, NEW.policy, NEW.updated_at);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER coverage_policies_record AFTER INSERT OR UPDATE ON coverage_policies
  FOR EACH ROW EXECUTE FUNCTION vigil_coverage_policy_record();

-- Down Migration
DROP TRIGGER coverage_policies_record ON coverage_policies;
DROP TRIGGER coverage_policies_number ON coverage_policies;
DROP FUNCTION vigil_coverage_policy_record(), vigil_coverage_policy_number();
DROP TABLE coverage_policy_versions;
ALTER TABLE coverage_policies DROP COLUMN version;
ALTER TABLE residents DROP COLUMN risks;
