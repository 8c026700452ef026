import { generateSecret, hashSecret, type Queryable } from '@vigil/core';
import { addFacility, DEFAULT_EXPECTED_INTERVAL_S, getFacility, upsertDevicesWithSharedSecret } from '@vigil/store';
import { DEVICE_KINDS, ID_PATTERN, type DeviceKind } from '@vigil/protocol';
import { SimInvalidOptions } from '../errors.js';
import type { SeededFacility } from './seed.js';

export interface LoadDeviceOptions {
  facility?: string;
  count: number;
  /** Kinds assigned round robin; default wristbands only. */
  kinds?: readonly DeviceKind[];
  timezone?: string;
  region?: string;
}

/**
 * Registers `count` devices for a benchmark in one statement. They all share ONE secret, hashed once:
 * registering 10 000 devices one argon2 hash at a time would take minutes. For benchmarks and load
 * tests only; real and demo devices get their own secrets (seedDemoFacility, `vigil device add`).
 * Idempotent: existing devices of the facility get the new shared secret.
 */
export async function seedLoadDevices(db: Queryable, options: LoadDeviceOptions): Promise<SeededFacility> {
  const facility = options.facility ?? 'load';
  const kinds = options.kinds ?? ['wristband'];
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100_000)
    throw SimInvalidOptions('count must be 1 to 100000');
  if (!kinds.length || kinds.some((k) => !DEVICE_KINDS.includes(k))) throw SimInvalidOptions('unknown device kind');
  const existing = await getFacility(db, facility);
  const timezone = existing?.timezone ?? options.timezone ?? 'UTC';
  const region = existing?.region ?? options.region ?? 'load';
  if (!existing) await addFacility(db, { id: facility, name: `Load test (${facility})`, region, timezone });
  const width = String(options.count).length;
  const devices = Array.from({ length: options.count }, (_, i) => {
    const kind = kinds[i % kinds.length] as DeviceKind;
    return { id: `${facility}-${kind}-${String(i + 1).padStart(width, '0')}`, kind };
  });
  if (devices.some((d) => !ID_PATTERN.test(d.id))) throw SimInvalidOptions(`facility id ${facility} is too long`);
  const secret = generateSecret();
  const hash = hashSecret(secret);
  const intervals = devices.map((d) => ({ ...d, expectedIntervalS: DEFAULT_EXPECTED_INTERVAL_S[d.kind] }));
  await upsertDevicesWithSharedSecret(db, facility, intervals, hash);
  return { facility, timezone, region, devices: devices.map((d) => ({ ...d, facility, secret, timezone })) };
}
