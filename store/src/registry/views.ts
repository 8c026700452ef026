import type { Queryable } from '@vigil/core';
import { scopeClause, type Principal } from './accounts.js';
import type { Facility } from './facilities.js';

const FACILITY_COLUMNS = `f.id, f.name, f.region, f.timezone, f.created_at AS "createdAt"`;

/** The facilities in the principal's scope, by id. */
export async function listFacilitiesInScope(db: Queryable, principal: Principal): Promise<Facility[]> {
  const params: unknown[] = [];
  const { rows } = await db.query<Facility>(
    `SELECT ${FACILITY_COLUMNS} FROM facilities f WHERE ${scopeClause(principal, 'f.id', params)} ORDER BY f.id`,
    params,
  );
  return rows;
}

export interface FacilityCounts {
  residents: number;
  devices: number;
  devicesOnline: number;
  openAlerts: number;
}

/** One facility in the principal's scope with counts of active residents, devices and unresolved alerts. */
export async function getFacilityWithCounts(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<{ facility: Facility; counts: FacilityCounts } | null> {
  const params: unknown[] = [id];
  const { rows } = await db.query<Facility & FacilityCounts>(
    `SELECT ${FACILITY_COLUMNS},
       (SELECT count(*)::int FROM residents r WHERE r.facility_id = f.id AND r.active) AS residents,
       (SELECT count(*)::int FROM devices d WHERE d.facility_id = f.id AND d.retired_at IS NULL) AS devices,
       (SELECT count(*)::int FROM devices d WHERE d.facility_id = f.id AND d.retired_at IS NULL AND d.online)
         AS "devicesOnline",
       (SELECT count(*)::int FROM alerts a WHERE a.facility_id = f.id AND a.status <> 'resolved') AS "openAlerts"
     FROM facilities f WHERE f.id = $1 AND ${scopeClause(principal, 'f.id', params)}`,
    params,
  );
  if (!rows[0]) return null;
  const { residents, devices, devicesOnline, openAlerts, ...facility } = rows[0];
  return { facility, counts: { residents, devices, devicesOnline, openAlerts } };
}

type Named = { id: string; name: string | null };

/** The names the wall display shows: the facility's, its residents' and its locations'. */
export async function readDisplayNames(
  db: Queryable,
  facility: string,
): Promise<{ facility: { id: string; name: string } | undefined; residents: Named[]; locations: Named[] }> {
  const [f, residents, locations] = await Promise.all([
    db.query<{ id: string; name: string }>('SELECT id, name FROM facilities WHERE id = $1', [facility]),
    db.query<Named>('SELECT id, name FROM residents WHERE facility_id = $1', [facility]),
    db.query<Named>('SELECT id, name FROM locations WHERE facility_id = $1', [facility]),
  ]);
  return { facility: f.rows[0], residents: residents.rows, locations: locations.rows };
}

/** What scoping and pseudonymisation need: each facility's region and each resident's pseudonym. */
export async function readScopeDirectory(
  db: Queryable,
  facilities: string[] | null,
): Promise<{
  regions: { id: string; region: string }[];
  pseudonyms: { facility: string; id: string; pseudonym: string }[];
}> {
  const [f, r] = await Promise.all([
    db.query<{ id: string; region: string }>(
      'SELECT id, region FROM facilities WHERE $1::text[] IS NULL OR id = ANY($1)',
      [facilities],
    ),
    db.query<{ facility: string; id: string; pseudonym: string }>(
      `SELECT facility_id AS facility, id, pseudonym FROM residents WHERE $1::text[] IS NULL OR facility_id = ANY($1)`,
      [facilities],
    ),
  ]);
  return { regions: f.rows, pseudonyms: r.rows };
}

/** A cheap round trip, for health checks. */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}
