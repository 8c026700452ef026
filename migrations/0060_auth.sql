-- Up Migration
-- Sign-in (docs/api.md "Authentication, roles and scope"): users get an argon2id password hash; sessions are api_tokens
-- of kind 'session' (issued by POST /api/v1/auth/login, always expiring); failed logins are kept for the lockout.
ALTER TABLE users ADD COLUMN password_hash text, ADD COLUMN password_changed_at timestamptz;
ALTER TABLE api_tokens
  ADD COLUMN kind text NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'session')),
  ADD COLUMN created_by text,
  ADD CONSTRAINT api_tokens_session_expires CHECK (kind = 'token' OR (user_id IS NOT NULL AND expires_at IS NOT NULL));
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
CREATE INDEX api_tokens_facility_idx ON api_tokens (facility_id);

CREATE TABLE login_failures (
  at       timestamptz NOT NULL,
  username text NOT NULL,
  address  text NOT NULL,
  -- A successful sign-in clears the username's failures; they still count for the address.
  cleared  boolean NOT NULL DEFAULT false
);
CREATE INDEX login_failures_username_idx ON login_failures (username, at);
CREATE INDEX login_failures_address_idx ON login_failures (address, at);

-- Down Migration
DROP TABLE login_failures;
DROP INDEX api_tokens_facility_idx;
DROP INDEX api_tokens_user_idx;
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_session_expires, DROP COLUMN created_by, DROP COLUMN kind;
ALTER TABLE users DROP COLUMN password_changed_at, DROP COLUMN password_hash;
