import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySecret } from '@vigil/core';
import { getFacility, listDevices, retireDevice } from '@vigil/store';
import { demoPlan, seedDemoFacility } from '@vigil/simulators';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
beforeAll(async () => void (db = await createTestDatabase()));
afterAll(async () => db?.drop());

async function secretWorks(id: string, secret: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ h: string }>('SELECT secret_hash AS h FROM devices WHERE id = $1', [id]);
  return verifySecret(rows[0]!.h, secret);
}

describe('seedDemoFacility', () => {
  it('creates the facility, its places, residents and devices with working secrets', async () => {
    const seeded = await seedDemoFacility(db.pool, { facility: 'sunrise', residents: 6, timezone: 'Europe/Vienna' });
    expect(seeded).toMatchObject({ facility: 'sunrise', timezone: 'Europe/Vienna', region: 'demo' });
    expect(await getFacility(db.pool, 'sunrise')).toMatchObject({ timezone: 'Europe/Vienna' });
    const registered = await listDevices(db.pool, 'sunrise');
    expect(registered.map((d) => d.id).sort()).toEqual(seeded.devices.map((d) => d.id).sort());
    expect(seeded.devices.every((d) => d.timezone === 'Europe/Vienna' && d.secret.length >= 32)).toBe(true);
    const sample = seeded.devices.find((d) => d.kind === 'wristband')!;
    expect(await secretWorks(sample.id, sample.secret)).toBe(true);
    const { rows } = await db.pool.query(
      `SELECT care_level, fall_risk, wander_risk, location_id FROM residents WHERE facility_id = 'sunrise'`,
    );
    expect(rows).toHaveLength(6);
  });

  it('is idempotent: a second run adds what is missing and rotates existing secrets', async () => {
    const first = await seedDemoFacility(db.pool, { facility: 'meadow', residents: 3 });
    const second = await seedDemoFacility(db.pool, { facility: 'meadow', residents: 5 });
    const plan = demoPlan({ facility: 'meadow', residents: 5 });
    expect(second.devices.map((d) => d.id).sort()).toEqual(plan.devices.map((d) => d.id).sort());
    const kept = first.devices.find((d) => d.kind === 'smoke')!;
    const now = second.devices.find((d) => d.id === kept.id)!;
    expect(now.secret).not.toBe(kept.secret);
    expect(await secretWorks(kept.id, now.secret)).toBe(true);
    expect(await secretWorks(kept.id, kept.secret)).toBe(false);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM residents WHERE facility_id = 'meadow'`);
    expect(rows[0].n).toBe(5);
  });

  it('leaves retired devices out and retired', async () => {
    const first = await seedDemoFacility(db.pool, { facility: 'harbour', residents: 2 });
    const retired = first.devices[0]!.id;
    await retireDevice(db.pool, retired);
    const second = await seedDemoFacility(db.pool, { facility: 'harbour', residents: 2 });
    expect(second.devices.map((d) => d.id)).not.toContain(retired);
    expect(second.devices).toHaveLength(first.devices.length - 1);
  });
});
