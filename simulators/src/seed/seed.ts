import { silentLogger, type Logger, type Queryable } from '@vigil/core';
import {
  addDevice,
  addFacility,
  addLocation,
  addResident,
  getFacility,
  listLocationIds,
  listResidentIds,
  readDevices,
  rotateDeviceSecret,
} from '@vigil/store';
import { SimInvalidOptions } from '../errors.js';
import type { DeviceCredentials } from '../sim-device.js';
import { demoPlan, type DemoOptions } from './plan.js';

export interface SeededFacility {
  facility: string;
  timezone: string;
  region: string;
  /** Working credentials for every device of the plan (new ones, and rotated secrets for existing ones). */
  devices: DeviceCredentials[];
}

// argon2 hashing runs on libuv's thread pool; a few at a time keep it busy without queueing hundreds.
const HASH_CONCURRENCY = 4;

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return results;
}

/**
 * Creates (or completes) a demo facility with `residents` residents, its places and devices (see
 * demoPlan), through the registry of @vigil/core. Idempotent: what exists is kept; existing devices get
 * a new secret (`rotateDeviceSecret`) because secrets are stored only as hashes, so the caller always
 * receives working credentials. A device that was retired stays retired and is left out.
 */
export async function seedDemoFacility(
  db: Queryable,
  options: DemoOptions & { logger?: Logger },
): Promise<SeededFacility> {
  const log = (options.logger ?? silentLogger()).child({ module: 'simulator-seed' });
  const plan = demoPlan(options);
  const id = plan.facility.id;
  const facility = (await getFacility(db, id)) ?? (await addFacility(db, plan.facility), plan.facility);

  const locations = new Set(await listLocationIds(db, id));
  for (const l of plan.locations.filter((l) => !locations.has(l.id))) await addLocation(db, l);
  const residents = new Set(await listResidentIds(db, id));
  for (const r of plan.residents.filter((r) => !residents.has(r.id))) await addResident(db, r);

  const rows = (
    await readDevices(
      db,
      plan.devices.map((d) => d.id),
    )
  ).map((d) => ({
    ...d,
    retired: d.retiredAt !== null,
  }));
  const existing = new Map(rows.map((r) => [r.id, r]));
  const foreign = rows.find((r) => r.facility !== id);
  if (foreign) throw SimInvalidOptions(`device ${foreign.id} already belongs to facility ${foreign.facility}`);
  const wanted = plan.devices.filter((d) => !existing.get(d.id)?.retired);
  const created = await inBatches(wanted, HASH_CONCURRENCY, (d) =>
    existing.has(d.id) ? rotateDeviceSecret(db, d.id) : addDevice(db, d),
  );
  const devices = wanted.map((d, i) => ({
    id: d.id,
    facility: id,
    kind: d.kind,
    secret: (created[i] as { secret: string }).secret,
    resident: d.resident,
    location: d.location,
    timezone: facility.timezone,
  }));
  log.info(
    { facility: id, residents: plan.residents.length, devices: devices.length, rotated: existing.size },
    'demo facility seeded',
  );
  return { facility: id, timezone: facility.timezone, region: facility.region, devices };
}
