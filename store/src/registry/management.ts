import type { Queryable } from '@vigil/core';
import { RegistryNotFound } from '../errors.js';
import { scopeClause, type Principal } from './accounts.js';

export interface LocationView {
  facility: string;
  id: string;
  kind: string;
  name: string | null;
  createdAt: Date;
}

/** The locations of one facility in the principal's scope, by id. */
export async function listLocationsInScope(db: Queryable, principal: Principal, facility: string) {
  const params: unknown[] = [facility];
  const { rows } = await db.query<LocationView>(
    `SELECT facility_id AS facility, id, kind, name, created_at AS "createdAt" FROM locations
     WHERE facility_id = $1 AND ${scopeClause(principal, 'facility_id', params)} ORDER BY id`,
    params,
  );
  return rows;
}

export interface CoveragePolicyRow {
  facility: string;
  policy: Record<string, unknown>;
  updatedAt: Date;
}

const POLICY_COLUMNS = 'facility_id AS facility, policy, updated_at AS "updatedAt"';

/** Coverage policies in the principal's scope (one per facility, `coverage_policies` of migration 0001). */
export async function listCoveragePolicies(db: Queryable, principal: Principal, facility?: string) {
  const params: unknown[] = [facility ?? null];
  const { rows } = await db.query<CoveragePolicyRow>(
    `SELECT ${POLICY_COLUMNS} FROM coverage_policies
     WHERE ($1::text IS NULL OR facility_id = $1) AND ${scopeClause(principal, 'facility_id', params)}
     ORDER BY facility_id`,
    params,
  );
  return rows;
}

/** Creates or replaces a facility's coverage policy. */
export async function putCoveragePolicy(db: Queryable, facility: string, policy: Record<string, unknown>) {
  const { rows } = await db.query<CoveragePolicyRow>(
    `INSERT INTO coverage_policies (facility_id, policy) VALUES ($1, $2)
     ON CONFLICT (facility_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()
     RETURNING ${POLICY_COLUMNS}`,
    [facility, JSON.stringify(policy)],
  );
  return rows[0]!;
}

export async function deleteCoveragePolicy(db: Queryable, facility: string): Promise<void> {
  const { rowCount } = await db.query('DELETE FROM coverage_policies WHERE facility_id = $1', [facility]);
  if (!rowCount) throw RegistryNotFound(`coverage policy of ${facility} not found`);
}

export interface DeadLetterView {
  time: Date;
  topic: string;
  facility: string | null;
  device: string | null;
  reason: string;
  payloadSize: number;
  /** The (truncated) payload as text, for diagnosis. */
  payload: string;
}

/** Dead letters in scope, newest first; `before` is the time keyset cursor. Admins also see unattributed ones. */
export async function listDeadLetters(
  db: Queryable,
  principal: Principal,
  f: { facility?: string; device?: string; before?: string; limit: number },
): Promise<DeadLetterView[]> {
  const params: unknown[] = [f.facility ?? null, f.device ?? null, f.before ?? null, f.limit];
  const { rows } = await db.query<DeadLetterView>(
    `SELECT time, topic, facility_id AS facility, device_id AS device, reason, payload_size AS "payloadSize",
       convert_from(payload, 'UTF8') AS payload FROM dead_letters
     WHERE ($1::text IS NULL OR facility_id = $1) AND ($2::text IS NULL OR device_id = $2)
       AND ($3::timestamptz IS NULL OR time < $3) AND ${scopeClause(principal, 'facility_id', params)}
     ORDER BY time DESC LIMIT $4`,
    params,
  );
  return rows;
}
