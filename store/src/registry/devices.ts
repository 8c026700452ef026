import type { DeviceKind } from '@vigil/protocol';
import { generateSecret, hashSecret } from '@vigil/core';
import { RegistryNotFound, registryError } from './errors.js';
import type { Queryable } from '@vigil/core';
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
  ${c('retired_at')} AS "retiredAt", ${c('last_seen_at')} AS "lastSeenAt", ${c('online')}, ${c('battery')}`;
};
const DEVICE_COLUMNS = deviceColumns();

/** Registers a device and returns its secret: shown once, stored only as an argon2id hash. */
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
        await hashSecret(secret),
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
    await hashSecret(secret),
  ]);
  if (!rowCount) throw RegistryNotFound(`no active device ${id}`);
  return { id, secret };
}
