import { hashPassword, type Queryable } from '@vigil/core';
import { registryError } from '../errors.js';
import { scopeClause, type Principal } from './accounts.js';
import { REVOCATIONS_CHANNEL, revokeUserTokens } from './tokens.js';
import { passwordSchema, userInputSchema, type UserInput, type UserRole } from './schemas.js';

/** A user as the api shows it (never the password hash). */
export interface UserRecord {
  id: string;
  name: string;
  role: UserRole;
  facility: string | null;
  region: string | null;
  createdAt: Date;
  disabledAt: Date | null;
  hasPassword: boolean;
}

const USER_COLUMNS = `u.id, u.name, u.role, u.facility_id AS facility, u.region, u.created_at AS "createdAt",
  u.disabled_at AS "disabledAt", u.password_hash IS NOT NULL AS "hasPassword"`;

/** Registers a user; with a password (argon2id-hashed) they can sign in with their id as the username. */
export async function addUser(db: Queryable, input: UserInput & { password?: string }): Promise<UserRecord> {
  const user = userInputSchema.parse(input);
  const hash = input.password === undefined ? null : await hashPassword(passwordSchema.parse(input.password));
  const { rows } = await db
    .query(
      `INSERT INTO users AS u (id, name, role, facility_id, region, password_hash, password_changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END)
       RETURNING ${USER_COLUMNS}`,
      [user.id, user.name, user.role, user.facility ?? null, user.region ?? null, hash],
    )
    .catch((err) => registryError(err, `user ${user.id}`));
  return rows[0];
}

export async function getUser(db: Queryable, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]);
  return rows[0] ?? null;
}

/** Users of the facilities in the principal's scope (admins: everyone), by id. */
export async function listUsers(db: Queryable, principal: Principal): Promise<UserRecord[]> {
  const params: unknown[] = [];
  const where = scopeClause(principal, 'u.facility_id', params);
  const { rows } = await db.query(`SELECT ${USER_COLUMNS} FROM users u WHERE ${where} ORDER BY u.id`, params);
  return rows;
}

/** The user and their password hash, for signing in; null when unknown. */
export async function userCredentials(
  db: Queryable,
  id: string,
): Promise<{ user: UserRecord; passwordHash: string | null } | null> {
  const { rows } = await db.query(
    `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash" FROM users u WHERE u.id = $1`,
    [id],
  );
  if (!rows[0]) return null;
  const { passwordHash, ...user } = rows[0];
  return { user, passwordHash };
}

/** Sets a new password (argon2id); false when the user does not exist. */
export async function setUserPassword(db: Queryable, id: string, password: string, at: Date): Promise<boolean> {
  const hash = await hashPassword(passwordSchema.parse(password));
  const { rowCount } = await db.query('UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1', [
    id,
    hash,
    at,
  ]);
  return rowCount === 1;
}

/** Disables a user (every token of theirs stops resolving at once); false when unknown or already disabled. */
export async function disableUser(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await db.query(
    `WITH disabled AS (UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL RETURNING id)
     SELECT pg_notify('${REVOCATIONS_CHANNEL}', json_build_object('user', id)::text) FROM disabled`,
    [id, at],
  );
  return rows.length === 1;
}

/**
 * Enables a disabled user again and revokes every token and session they held (all issued before the disable):
 * they sign in afresh. Returns the ids revoked, or null when the user is unknown or not disabled.
 */
export async function enableUser(db: Queryable, id: string, at: Date): Promise<string[] | null> {
  const { rowCount } = await db.query('UPDATE users SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL', [
    id,
  ]);
  if (rowCount !== 1) return null;
  return revokeUserTokens(db, id, at, { sessionsOnly: false });
}

/**
 * Gives a user another role. Every token and session carries the role it was issued with, so all of the user's are
 * revoked: they sign in afresh with the new one. Returns the ids revoked, or null when the user is unknown.
 */
export async function setUserRole(db: Queryable, id: string, role: UserRole, at: Date): Promise<string[] | null> {
  const { rowCount } = await db
    .query('UPDATE users SET role = $2 WHERE id = $1', [id, role])
    .catch((err) => registryError(err, `user ${id}`));
  if (rowCount !== 1) return null;
  return revokeUserTokens(db, id, at, { sessionsOnly: false });
}
