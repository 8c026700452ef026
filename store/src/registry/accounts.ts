import { generateSecret, hashPassword, hashSecret } from '@vigil/core';
import { registryError } from '../errors.js';
import type { Queryable } from '@vigil/core';
import type { ServiceRole, TokenRole } from './schemas.js';

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

/** Who a bearer token speaks for. `actor` is what alert events record as "who". */
export interface Principal {
  tokenId: string;
  role: TokenRole;
  facility: string | null;
  region: string | null;
  user: string | null;
  actor: string;
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
