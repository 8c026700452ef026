import type { Queryable } from '@vigil/core';
import type { CareLevel } from '@vigil/protocol';
import { scopeClause, type Principal } from './accounts.js';

/** A resident as the api shows it: for regulators `id` is the pseudonym and `name` is null. */
export interface ResidentView {
  facility: string;
  id: string;
  pseudonym: string;
  name: string | null;
  careLevel: CareLevel;
  fallRisk: 'none' | 'at-risk' | 'high';
  wanderRisk: boolean;
  location: string | null;
  active: boolean;
}

/** Regulators address and see residents only by pseudonym. */
const columns = (regulator: boolean) =>
  `r.facility_id AS facility, ${regulator ? 'r.pseudonym' : 'r.id'} AS id, r.pseudonym,
   ${regulator ? 'NULL' : 'r.name'} AS name, r.care_level AS "careLevel", r.fall_risk AS "fallRisk",
   r.wander_risk AS "wanderRisk", r.location_id AS location, r.active`;

/** Residents in the principal's scope by (facility, id); `after` is that keyset cursor. */
export async function listResidentsInScope(
  db: Queryable,
  principal: Principal,
  f: { facility?: string; after?: [facility: string, id: string]; limit: number },
): Promise<ResidentView[]> {
  const regulator = principal.role === 'regulator';
  const idColumn = regulator ? 'r.pseudonym' : 'r.id';
  const params: unknown[] = [f.facility ?? null, f.after?.[0] ?? null, f.after?.[1] ?? null, f.limit];
  const { rows } = await db.query<ResidentView>(
    `SELECT ${columns(regulator)} FROM residents r
     WHERE ($1::text IS NULL OR r.facility_id = $1) AND ($2::text IS NULL OR (r.facility_id, ${idColumn}) > ($2, $3))
       AND ${scopeClause(principal, 'r.facility_id', params)}
     ORDER BY r.facility_id, ${idColumn} LIMIT $4`,
    params,
  );
  return rows;
}

/** One resident in scope, addressed by id (by pseudonym for regulators), with the real id for further reads. */
export async function getResidentInScope(
  db: Queryable,
  principal: Principal,
  facility: string,
  ref: string,
): Promise<{ resident: ResidentView; realId: string } | null> {
  const regulator = principal.role === 'regulator';
  const params: unknown[] = [facility, ref];
  const { rows } = await db.query<ResidentView & { realId: string }>(
    `SELECT ${columns(regulator)}, r.id AS "realId" FROM residents r
     WHERE r.facility_id = $1 AND ${regulator ? 'r.pseudonym' : 'r.id'} = $2
       AND ${scopeClause(principal, 'r.facility_id', params)}`,
    params,
  );
  if (!rows[0]) return null;
  const { realId, ...resident } = rows[0];
  return { resident, realId };
}

/**
 * The stored rule overrides that apply to one resident: the facility's `settings` and the resident's own
 * `thresholds` (docs/rules.md "Settings and overrides"); null outside the principal's scope. Not for regulators'
 * pseudonyms: only managers read thresholds.
 */
export async function readResidentOverrides(
  db: Queryable,
  principal: Principal,
  facility: string,
  id: string,
): Promise<{ facility: unknown; resident: unknown } | null> {
  const params: unknown[] = [facility, id];
  const { rows } = await db.query<{ facility: unknown; resident: unknown }>(
    `SELECT f.settings AS facility, r.thresholds AS resident
     FROM residents r JOIN facilities f ON f.id = r.facility_id
     WHERE r.facility_id = $1 AND r.id = $2 AND ${scopeClause(principal, 'r.facility_id', params)}`,
    params,
  );
  return rows[0] ?? null;
}
