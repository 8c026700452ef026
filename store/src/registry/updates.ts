import type { Queryable } from '@vigil/core';
import { registryError, RegistryNotFound } from '../errors.js';

interface RowUpdate {
  what: string;
  table: string;
  /** Column = value conditions that address the row. */
  keys: Record<string, unknown>;
  /** A further fixed condition, e.g. `retired_at IS NULL`. */
  where?: string;
  /** The patch's fields → column names; fields left undefined are not touched. */
  columns: Record<string, string>;
  patch: Record<string, unknown>;
  /** A further fixed assignment, e.g. `active = false`. */
  set?: string;
}

/**
 * `UPDATE <table> SET <changed columns> WHERE <keys>`. Throws RegistryNotFound when no row matched, and a typed
 * registry error on a constraint violation (unknown location, bad value).
 */
async function updateRow(db: Queryable, u: RowUpdate): Promise<void> {
  const params: unknown[] = [];
  const sets = Object.entries(u.columns)
    .filter(([field]) => u.patch[field] !== undefined)
    .map(([field, column]) => {
      const value = u.patch[field];
      params.push(value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
      return `${column} = $${params.length}`;
    });
  if (u.set) sets.push(u.set);
  const where = Object.entries(u.keys).map(([column, value]) => {
    params.push(value);
    return `${column} = $${params.length}`;
  });
  if (u.where) where.push(u.where);
  // An empty patch still checks that the row exists.
  const sql = sets.length
    ? `UPDATE ${u.table} SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`
    : `SELECT 1 FROM ${u.table} WHERE ${where.join(' AND ')}`;
  const { rowCount } = await db.query(sql, params).catch((err) => registryError(err, u.what));
  if (!rowCount) throw RegistryNotFound(`${u.what} not found`);
}

export interface FacilityPatch {
  name?: string;
  timezone?: string;
  /** Rule overrides of the facility (validated by the caller with the rules' override schema). */
  settings?: Record<string, unknown>;
}

export async function updateFacility(db: Queryable, id: string, patch: FacilityPatch): Promise<void> {
  await updateRow(db, {
    what: `facility ${id}`,
    table: 'facilities',
    keys: { id },
    columns: { name: 'name', timezone: 'timezone', settings: 'settings' },
    patch: { ...patch },
  });
}

export interface LocationPatch {
  kind?: string;
  name?: string | null;
}

export async function updateLocation(db: Queryable, facility: string, id: string, patch: LocationPatch) {
  await updateRow(db, {
    what: `location ${facility}/${id}`,
    table: 'locations',
    keys: { facility_id: facility, id },
    columns: { kind: 'kind', name: 'name' },
    patch: { ...patch },
  });
}

export interface ResidentPatch {
  name?: string | null;
  careLevel?: string;
  fallRisk?: string;
  wanderRisk?: boolean;
  location?: string | null;
  /** Per-resident rule overrides, night window included (validated by the caller). */
  thresholds?: Record<string, unknown>;
}

const RESIDENT_COLUMNS = {
  name: 'name',
  careLevel: 'care_level',
  fallRisk: 'fall_risk',
  wanderRisk: 'wander_risk',
  location: 'location_id',
  thresholds: 'thresholds',
};

const activeResident = (facility: string, id: string) => ({
  what: `active resident ${facility}/${id}`,
  table: 'residents',
  keys: { facility_id: facility, id, active: true },
});

/** Changes an active resident (a discharged one is read-only). */
export async function updateResident(db: Queryable, facility: string, id: string, patch: ResidentPatch) {
  await updateRow(db, { ...activeResident(facility, id), columns: RESIDENT_COLUMNS, patch: { ...patch } });
}

/** Discharges a resident: inactive from now, devices unassigned; erasure becomes possible after retention. */
export async function dischargeResident(db: Queryable, facility: string, id: string): Promise<void> {
  await updateRow(db, {
    ...activeResident(facility, id),
    columns: {},
    patch: {},
    set: 'active = false, discharged_at = now()',
  });
  await db.query('UPDATE devices SET resident_id = NULL WHERE facility_id = $1 AND resident_id = $2', [facility, id]);
}

export interface DeviceAssignment {
  resident?: string | null;
  location?: string | null;
  expectedIntervalS?: number;
}

/** Assigns an active device to a resident and/or location (null unassigns). */
export async function assignDevice(db: Queryable, facility: string, id: string, patch: DeviceAssignment) {
  await updateRow(db, {
    what: `active device ${id}`,
    table: 'devices',
    keys: { id, facility_id: facility },
    where: 'retired_at IS NULL',
    columns: { resident: 'resident_id', location: 'location_id', expectedIntervalS: 'expected_interval_s' },
    patch: { ...patch },
  });
}
