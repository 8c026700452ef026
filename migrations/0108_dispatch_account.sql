-- Up Migration
-- The dispatch service's broker account: it reads alert events and publishes the state of notification channels.
ALTER TABLE service_accounts DROP CONSTRAINT service_accounts_role_check;
ALTER TABLE service_accounts ADD CONSTRAINT service_accounts_role_check
  CHECK (role IN ('ingest', 'alerts', 'api', 'bridge', 'simulator', 'dispatch'));

-- Down Migration
ALTER TABLE service_accounts DROP CONSTRAINT service_accounts_role_check;
ALTER TABLE service_accounts ADD CONSTRAINT service_accounts_role_check
  CHECK (role IN ('ingest', 'alerts', 'api', 'bridge', 'simulator'));
