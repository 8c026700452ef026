import { registryInsert } from '../errors.js';
import type { Queryable } from '@vigil/core';
import {
  facilityInputSchema,
  locationInputSchema,
  residentInputSchema,
  type FacilityInput,
  type LocationInput,
  type ResidentInput,
} from './schemas.js';

export interface Facility extends FacilityInput {
  createdAt: Date;
}

export async function addFacility(db: Queryable, input: FacilityInput): Promise<void> {
  const f = facilityInputSchema.parse(input);
  await registryInsert(
    db,
    `facility ${f.id}`,
    'INSERT INTO facilities (id, name, region, timezone) VALUES ($1, $2, $3, $4)',
    [f.id, f.name, f.region, f.timezone],
  );
}

export async function getFacility(db: Queryable, id: string): Promise<Facility | null> {
  const { rows } = await db.query(
    'SELECT id, name, region, timezone, created_at AS "createdAt" FROM facilities WHERE id = $1',
    [id],
  );
  return rows[0] ?? null;
}

export async function listFacilities(db: Queryable, scope: { region?: string } = {}): Promise<Facility[]> {
  const { rows } = await db.query(
    `SELECT id, name, region, timezone, created_at AS "createdAt" FROM facilities
     WHERE $1::text IS NULL OR region = $1 ORDER BY id`,
    [scope.region ?? null],
  );
  return rows;
}

export async function addLocation(db: Queryable, input: LocationInput): Promise<void> {
  const l = locationInputSchema.parse(input);
  await registryInsert(
    db,
    `location ${l.facility}/${l.id}`,
    'INSERT INTO locations (facility_id, id, kind, name) VALUES ($1, $2, $3, $4)',
    [l.facility, l.id, l.kind, l.name ?? null],
  );
}

export async function addResident(db: Queryable, input: ResidentInput): Promise<void> {
  const r = residentInputSchema.parse(input);
  await registryInsert(
    db,
    `resident ${r.facility}/${r.id}`,
    `INSERT INTO residents (facility_id, id, name, care_level, fall_risk, wander_risk, location_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [r.facility, r.id, r.name ?? null, r.careLevel, r.fallRisk, r.wanderRisk, r.location ?? null],
  );
}

/** The ids of a facility's locations. */
export async function listLocationIds(db: Queryable, facility: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM locations WHERE facility_id = $1', [facility]);
  return rows.map((r) => r.id);
}

/** The ids of a facility's residents (active or not). */
export async function listResidentIds(db: Queryable, facility: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM residents WHERE facility_id = $1', [facility]);
  return rows.map((r) => r.id);
}
