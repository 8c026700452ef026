import type { DeviceKind } from '@vigil/protocol';
import { generateSecret, hashSecret } from '@vigil/core';
import { RegistryNotFound, registryError } from '../errors.js';
import type { Queryable } from '@vigil/core';
import { scopeClause, type Principal } from './accounts.js';
import { DEFAULT_EXPECTED_INTERVAL_S, deviceInputSchema, type DeviceInput } from './schemas.js';

export interface Device {
  id: string;
  facility: string;
  kind: DeviceKind;
  resident: string | null;
  location: string | null;
  expectedIntervalS: number;
  createdAt: Date;
  retiredAt: Date | null;
  lastSeenAt: Date | null;
  online: boolean | null;
  battery: number | null;
  fw: string | null;
}

/** What the gateway needs to authenticate and authorise a device. */
export interface DeviceCredentials {
  id: string;
  facility: string;
  kind: DeviceKind;
  secretHash: string;
  retired: boolean;
}

/**
 * The one column list of `devices` (secret hash aside), shaped as `Device`: every reader selects it, optionally
 * qualified by a table alias for joins (`deviceColumns('d')`).
 */
export const deviceColumns = (alias?: string): string => {
  const c = (column: string) => (alias ? `${alias}.${column}` : column);
  return `${c('id')}, ${c('facility_id')} AS facility, ${c('kind')}, ${c('resident_id')} AS resident,
  ${c('location_id')} AS location, ${c('expected_interval_s')} AS "expectedIntervalS", ${c('created_at')} AS "createdAt",
  ${c('retired_at')} AS "retiredAt", ${c('last_seen_at')} AS "lastSeenAt", ${c('online')}, ${c('battery')},
  ${c('fw')}`;
};
const DEVICE_COLUMNS = deviceColumns();

/** Registers a device and returns its secret: shown once, stored only as a hash (`hashSecret`). */
export async function addDevice(db: Queryable, input: DeviceInput): Promise<{ id: string; secret: string }> {
  const d = deviceInputSchema.parse(input);
  const secret = generateSecret();
  await db
    .query(
      `INSERT INTO devices (id, facility_id, kind, resident_id, location_id, secret_hash, expected_interval_s)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        d.id,
        d.facility,
        d.kind,
        d.resident ?? null,
        d.location ?? null,
        hashSecret(secret),
        d.expectedIntervalS ?? DEFAULT_EXPECTED_INTERVAL_S[d.kind],
      ],
    )
    .catch((err) => registryError(err, `device ${d.id}`));
  return { id: d.id, secret };
}

export async function listDevices(
  db: Queryable,
  facility: string,
  options: { includeRetired?: boolean } = {},
): Promise<Device[]> {
  const { rows } = await db.query(
    `SELECT ${DEVICE_COLUMNS} FROM devices WHERE facility_id = $1 AND ($2 OR retired_at IS NULL) ORDER BY id`,
    [facility, options.includeRetired ?? false],
  );
  return rows;
}

export async function getDevice(db: Queryable, id: string): Promise<Device | null> {
  const { rows } = await db.query(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The devices with these ids (retired ones included), one query. */
export async function readDevices(db: Queryable, ids: readonly string[]): Promise<Device[]> {
  const { rows } = await db.query<Device>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ANY($1::text[])`, [ids]);
  return rows;
}

/** Every device not retired, of every facility. */
export async function listActiveDevices(db: Queryable): Promise<Device[]> {
  const { rows } = await db.query<Device>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE retired_at IS NULL`);
  return rows;
}

export async function getDeviceCredentials(db: Queryable, id: string): Promise<DeviceCredentials | null> {
  const { rows } = await db.query(
    `SELECT id, facility_id AS facility, kind, secret_hash AS "secretHash", retired_at IS NOT NULL AS retired
     FROM devices WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Replaces a device's stored secret hash by `newHash` (the same secret, a newer scheme) unless it changed since
 * `oldHash` was read, so a rotation in between is never undone. Returns whether it was replaced.
 */
export async function upgradeDeviceSecretHash(
  db: Queryable,
  id: string,
  oldHash: string,
  newHash: string,
): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE devices SET secret_hash = $3 WHERE id = $1 AND secret_hash = $2', [
    id,
    oldHash,
    newHash,
  ]);
  return rowCount === 1;
}

/** Retires a device: it is refused at its next connect; its history is kept. */
export async function retireDevice(db: Queryable, id: string): Promise<void> {
  const { rowCount } = await db.query('UPDATE devices SET retired_at = now() WHERE id = $1 AND retired_at IS NULL', [
    id,
  ]);
  if (!rowCount) throw RegistryNotFound(`no active device ${id}`);
}

/** Issues a new secret for a device; the old one stops working. */
export async function rotateDeviceSecret(db: Queryable, id: string): Promise<{ id: string; secret: string }> {
  const secret = generateSecret();
  const { rowCount } = await db.query('UPDATE devices SET secret_hash = $2 WHERE id = $1 AND retired_at IS NULL', [
    id,
    hashSecret(secret),
  ]);
  if (!rowCount) throw RegistryNotFound(`no active device ${id}`);
  return { id, secret };
}

/** A device as the api lists it: the one `Device` row plus its resident's pseudonym (for regulators). */
export interface DeviceWithPseudonym extends Device {
  pseudonym: string | null;
}

const DEVICE_VIEW = `${deviceColumns('d')}, r.pseudonym
  FROM devices d LEFT JOIN residents r ON r.facility_id = d.facility_id AND r.id = d.resident_id`;

/** Filters of the device list; `after` is the id keyset cursor. */
export interface DeviceFilter {
  facility?: string;
  kind?: string;
  online?: boolean;
  retired: boolean;
  after?: string;
  limit: number;
}

/** Devices in the principal's scope, by id. */
export async function listDevicesInScope(
  db: Queryable,
  principal: Principal,
  f: DeviceFilter,
): Promise<DeviceWithPseudonym[]> {
  const params: unknown[] = [f.facility ?? null, f.kind ?? null, f.online ?? null, f.retired, f.after ?? null];
  params.push(f.limit);
  const { rows } = await db.query<DeviceWithPseudonym>(
    `SELECT ${DEVICE_VIEW}
     WHERE ($1::text IS NULL OR d.facility_id = $1) AND ($2::text IS NULL OR d.kind = $2)
       AND ($3::boolean IS NULL OR d.online = $3) AND (d.retired_at IS NOT NULL) = $4::boolean
       AND ($5::text IS NULL OR d.id > $5) AND ${scopeClause(principal, 'd.facility_id', params)}
     ORDER BY d.id LIMIT $6`,
    params,
  );
  return rows;
}

/** One device if it is in the principal's scope. */
export async function getDeviceInScope(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<DeviceWithPseudonym | null> {
  const params: unknown[] = [id];
  const { rows } = await db.query<DeviceWithPseudonym>(
    `SELECT ${DEVICE_VIEW} WHERE d.id = $1 AND ${scopeClause(principal, 'd.facility_id', params)}`,
    params,
  );
  return rows[0] ?? null;
}

/** The active devices worn by (or assigned to) one resident. */
export async function listResidentDevices(db: Queryable, facility: string, resident: string): Promise<Device[]> {
  const { rows } = await db.query<Device>(
    `SELECT ${DEVICE_COLUMNS} FROM devices
     WHERE facility_id = $1 AND resident_id = $2 AND retired_at IS NULL ORDER BY id`,
    [facility, resident],
  );
  return rows;
}

/**
 * Registers many devices sharing one secret hash (load tests: hashing a secret per device would take minutes);
 * an existing device of the same facility gets the new hash, one of another facility is left alone.
 */
export async function upsertDevicesWithSharedSecret(
  db: Queryable,
  facility: string,
  devices: readonly { id: string; kind: DeviceKind; expectedIntervalS: number }[],
  secretHash: string,
): Promise<void> {
  await db.query(
    `INSERT INTO devices (id, facility_id, kind, secret_hash, expected_interval_s)
     SELECT d.id, $1, d.kind, $4, d.interval FROM unnest($2::text[], $3::text[], $5::int[]) AS d(id, kind, interval)
     ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash WHERE devices.facility_id = EXCLUDED.facility_id`,
    [
      facility,
      devices.map((d) => d.id),
      devices.map((d) => d.kind),
      secretHash,
      devices.map((d) => d.expectedIntervalS),
    ],
  );
}
