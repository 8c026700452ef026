import { generateToken, hashToken, type Queryable } from '@vigil/core';
import type pg from 'pg';
import { registryError } from '../errors.js';
import { scopeClause, type Principal } from './accounts.js';
import { tokenInputSchema, type TokenInput, type TokenRole } from './schemas.js';

export type TokenKind = 'token' | 'session';

/** A valid token: its principal and when it stops being valid (null: never). */
export interface ResolvedToken {
  principal: Principal;
  kind: TokenKind;
  expiresAt: Date | null;
}

/** A token as listed (never its value or hash). */
export interface TokenRecord {
  id: string;
  kind: TokenKind;
  role: TokenRole;
  user: string | null;
  facility: string | null;
  region: string | null;
  label: string | null;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const TOKEN_COLUMNS = `t.id, t.kind, t.role, t.user_id AS "user", t.facility_id AS facility, t.region, t.label,
  t.created_by AS "createdBy", t.created_at AS "createdAt", t.expires_at AS "expiresAt", t.revoked_at AS "revokedAt"`;

/** Creates an API token (or a sign-in session); the token is returned once and stored as sha256. */
export async function createToken(
  db: Queryable,
  input: TokenInput,
): Promise<{ token: string; id: string; expiresAt: Date | null }> {
  const t = tokenInputSchema.parse(input);
  const token = generateToken();
  const { rows } = await db
    .query(
      `INSERT INTO api_tokens (token_hash, role, user_id, facility_id, region, label, expires_at, kind, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        hashToken(token),
        t.role,
        t.user ?? null,
        t.facility ?? null,
        t.region ?? null,
        t.label ?? null,
        t.expiresAt ?? null,
        t.kind,
        t.createdBy ?? null,
      ],
    )
    .catch((err) => registryError(err, 'token'));
  return { token, id: rows[0].id, expiresAt: t.expiresAt ?? null };
}

/** The principal of a token valid at `at` (not revoked, not expired, its user not disabled), or null. */
export async function resolveToken(db: Queryable, token: string, at: Date): Promise<ResolvedToken | null> {
  const { rows } = await db.query(
    `SELECT t.id AS "tokenId", t.role, t.facility_id AS facility, t.region, t.user_id AS "user",
            coalesce(t.user_id, t.label, t.role || ':' || left(t.id::text, 8)) AS actor,
            t.kind, t.expires_at AS "expiresAt"
     FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
       AND u.disabled_at IS NULL`,
    [hashToken(token), at],
  );
  if (!rows[0]) return null;
  const { kind, expiresAt, ...principal } = rows[0];
  return { principal, kind, expiresAt };
}

/** Tokens whose facility is in the principal's scope (admins: all), newest first; revoked ones only on request. */
export async function listTokens(
  db: Queryable,
  principal: Principal,
  filter: { user?: string; includeRevoked?: boolean } = {},
): Promise<TokenRecord[]> {
  const params: unknown[] = [];
  const where = [scopeClause(principal, 't.facility_id', params)];
  if (filter.user) where.push(`t.user_id = $${params.push(filter.user)}`);
  if (!filter.includeRevoked) where.push('t.revoked_at IS NULL');
  const { rows } = await db.query(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE ${where.join(' AND ')} ORDER BY t.created_at DESC, t.id`,
    params,
  );
  return rows;
}

export async function getToken(db: Queryable, id: string): Promise<TokenRecord | null> {
  const { rows } = await db
    .query(`SELECT ${TOKEN_COLUMNS} FROM api_tokens t WHERE t.id = $1`, [id])
    .catch((err) => registryError(err, `token ${id}`));
  return rows[0] ?? null;
}

/**
 * Revocations, user disables and password resets are announced on this channel in the statement that makes them
 * (payload `{"tokens":[id…]}` or `{"user":id}`), so every api instance drops its cached tokens at once.
 */
export const REVOCATIONS_CHANNEL = 'vigil_auth_revoked';
export type Revocation = { tokens: string[] } | { user: string };

/** Subscribes a dedicated connection to the revocations channel. */
export async function listenForRevocations(client: pg.Client): Promise<void> {
  await client.query(`LISTEN ${REVOCATIONS_CHANNEL}`);
}

/** Revokes one token; true when it was valid until now. */
export async function revokeToken(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await db
    .query(
      `WITH revoked AS (UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id)
       SELECT pg_notify('${REVOCATIONS_CHANNEL}', json_build_object('tokens', json_agg(id))::text)
       FROM revoked HAVING count(*) > 0`,
      [id, at],
    )
    .catch((err) => registryError(err, `token ${id}`));
  return rows.length === 1;
}

/** Revokes a user's sessions (or all their tokens), except `keep`; returns the ids revoked. */
export async function revokeUserTokens(
  db: Queryable,
  user: string,
  at: Date,
  options: { sessionsOnly: boolean; keep?: string },
): Promise<string[]> {
  const { rows } = await db.query(
    `WITH revoked AS (
       UPDATE api_tokens SET revoked_at = $2
       WHERE user_id = $1 AND revoked_at IS NULL AND ($3::boolean IS FALSE OR kind = 'session')
         AND id IS DISTINCT FROM $4::uuid
       RETURNING id)
     SELECT coalesce(json_agg(id), '[]') AS ids,
            pg_notify('${REVOCATIONS_CHANNEL}', json_build_object('tokens', coalesce(json_agg(id), '[]'))::text)
     FROM revoked`,
    [user, at, options.sessionsOnly, options.keep ?? null],
  );
  return rows[0].ids as string[];
}
