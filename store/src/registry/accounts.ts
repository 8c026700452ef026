import { generateSecret, generateToken, hashPassword, hashSecret, hashToken } from '@vigil/core';
import { registryError } from '../errors.js';
import type { Queryable } from '@vigil/core';
import { tokenInputSchema, type ServiceRole, type TokenInput, type TokenRole } from './schemas.js';

export interface ServiceAccount {
  id: string;
  role: ServiceRole;
  secretHash: string;
  retired: boolean;
}

/**
 * Creates a service account for one of Vigil's own services (or gives an existing one a new secret) and
 * returns the secret: `secret` when given (a deployment's configured password), else a new random one.
 * Services log in to the broker with it and get wider rights than devices. A generated secret is stored with
 * the fast hash; a configured one may have been chosen by a person, so it is stored as argon2id.
 */
export async function upsertServiceAccount(
  db: Queryable,
  id: string,
  role: ServiceRole,
  configured?: string,
): Promise<{ id: string; secret: string }> {
  const secret = configured ?? generateSecret();
  const secretHash = configured === undefined ? hashSecret(secret) : await hashPassword(secret);
  await db
    .query(
      `INSERT INTO service_accounts (id, role, secret_hash) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, secret_hash = EXCLUDED.secret_hash, retired_at = NULL`,
      [id, role, secretHash],
    )
    .catch((err) => registryError(err, `service account ${id}`));
  return { id, secret };
}

export async function getServiceAccount(db: Queryable, id: string): Promise<ServiceAccount | null> {
  const { rows } = await db.query(
    `SELECT id, role, secret_hash AS "secretHash", retired_at IS NOT NULL AS retired FROM service_accounts WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function addUser(
  db: Queryable,
  user: { id: string; name: string; role: Exclude<TokenRole, 'display'>; facility?: string; region?: string },
): Promise<void> {
  await db
    .query('INSERT INTO users (id, name, role, facility_id, region) VALUES ($1, $2, $3, $4, $5)', [
      user.id,
      user.name,
      user.role,
      user.facility ?? null,
      user.region ?? null,
    ])
    .catch((err) => registryError(err, `user ${user.id}`));
}

/** Who a bearer token speaks for. `actor` is what alert events record as "who". */
export interface Principal {
  tokenId: string;
  role: TokenRole;
  facility: string | null;
  region: string | null;
  user: string | null;
  actor: string;
}

/** Creates an API token; the token is returned once and stored as sha256. */
export async function createToken(db: Queryable, input: TokenInput): Promise<{ token: string }> {
  const t = tokenInputSchema.parse(input);
  const token = generateToken();
  await db
    .query(
      `INSERT INTO api_tokens (token_hash, role, user_id, facility_id, region, label) VALUES ($1, $2, $3, $4, $5, $6)`,
      [hashToken(token), t.role, t.user ?? null, t.facility ?? null, t.region ?? null, t.label ?? null],
    )
    .catch((err) => registryError(err, 'token'));
  return { token };
}

/** The principal of a valid (not revoked, not expired) token, or null. */
export async function resolveToken(db: Queryable, token: string): Promise<Principal | null> {
  const { rows } = await db.query(
    `SELECT t.id AS "tokenId", t.role, t.facility_id AS facility, t.region, t.user_id AS "user",
            coalesce(t.user_id, t.label, t.role || ':' || left(t.id::text, 8)) AS actor
     FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
       AND u.disabled_at IS NULL`,
    [hashToken(token)],
  );
  return rows[0] ?? null;
}

/**
 * A SQL condition restricting `column` (a facility id column) to the principal's scope: everything for admins,
 * the region's facilities for regulators, the token's facility otherwise. Appends its parameter to `params`.
 */
export function scopeClause(principal: Principal, column: string, params: unknown[]): string {
  if (principal.role === 'admin') return 'TRUE';
  if (principal.role === 'regulator') {
    params.push(principal.region);
    return `${column} IN (SELECT id FROM facilities WHERE region = $${params.length})`;
  }
  params.push(principal.facility);
  return `${column} = $${params.length}`;
}
