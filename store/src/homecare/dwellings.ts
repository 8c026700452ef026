import { z } from 'zod';
import { idSchema } from '@vigil/protocol';
import type { Queryable } from '@vigil/core';
import { RegistryNotFound, registryInsert } from '../errors.js';

export const FACILITY_KINDS = ['care-home', 'home-care'] as const;
export type FacilityKind = (typeof FACILITY_KINDS)[number];

export const dwellingInputSchema = z.object({
  facility: idSchema,
  id: idSchema,
  name: z.string().max(200).optional(),
  address: z.string().min(1).max(500),
  district: z.string().min(1).max(100),
  /** How staff get in: key safe, neighbour, building code. */
  accessNote: z.string().max(1000).optional(),
});
export type DwellingInput = z.input<typeof dwellingInputSchema>;

export interface Dwelling {
  facility: string;
  id: string;
  name: string | null;
  address: string;
  district: string;
  accessNote: string | null;
}

const DWELLING_COLUMNS = `d.facility_id AS facility, d.location_id AS id, l.name, d.address, d.district,
  d.access_note AS "accessNote"`;

/** Makes a facility a home-care station (its places are dwellings) or a care home again. */
export async function setFacilityKind(db: Queryable, facility: string, kind: FacilityKind): Promise<void> {
  const { rowCount } = await db.query('UPDATE facilities SET kind = $2 WHERE id = $1', [facility, kind]);
  if (!rowCount) throw RegistryNotFound(`facility ${facility} does not exist`);
}

export async function getFacilityKind(db: Queryable, facility: string): Promise<FacilityKind | null> {
  const { rows } = await db.query<{ kind: FacilityKind }>('SELECT kind FROM facilities WHERE id = $1', [facility]);
  return rows[0]?.kind ?? null;
}

/** Adds a dwelling: a location of kind `dwelling` and its address, in one statement. */
export async function addDwelling(db: Queryable, input: DwellingInput): Promise<void> {
  const d = dwellingInputSchema.parse(input);
  await registryInsert(
    db,
    `dwelling ${d.facility}/${d.id}`,
    `WITH l AS (INSERT INTO locations (facility_id, id, kind, name) VALUES ($1, $2, 'dwelling', $3) RETURNING id)
     INSERT INTO dwellings (facility_id, location_id, address, district, access_note) SELECT $1, id, $4, $5, $6 FROM l`,
    [d.facility, d.id, d.name ?? null, d.address, d.district, d.accessNote ?? null],
  );
}

export async function getDwelling(db: Queryable, facility: string, id: string): Promise<Dwelling | null> {
  const { rows } = await db.query<Dwelling>(
    `SELECT ${DWELLING_COLUMNS} FROM dwellings d JOIN locations l ON l.facility_id = d.facility_id AND l.id = d.location_id
     WHERE d.facility_id = $1 AND d.location_id = $2`,
    [facility, id],
  );
  return rows[0] ?? null;
}

export async function listDwellings(db: Queryable, facility: string): Promise<Dwelling[]> {
  const { rows } = await db.query<Dwelling>(
    `SELECT ${DWELLING_COLUMNS} FROM dwellings d JOIN locations l ON l.facility_id = d.facility_id AND l.id = d.location_id
     WHERE d.facility_id = $1 ORDER BY d.district, d.location_id`,
    [facility],
  );
  return rows;
}
