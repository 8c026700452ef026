import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySecret } from '@vigil/core';
import { addFacility, getFacilityKind, listContacts, listDevices } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { exited, spawnVigil } from '../helpers/processes.js';

async function vigil(db: TestDatabase, args: string[]): Promise<string> {
  const { child, output } = spawnVigil(args, { DATABASE_URL: db.url, VIGIL_LOG_LEVEL: 'warn' });
  const code = await exited(child);
  expect(code, output()).toBe(0);
  return output();
}

/** `vigil dwelling` as a station's operator runs it. */
describe('vigil dwelling', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await addFacility(db.pool, { id: 'st1', name: '安贞服务站', region: 'beijing', timezone: 'Asia/Shanghai' });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('makes a station, adds a dwelling with its resident and home kit, printing each secret once', async () => {
    await vigil(db, ['dwelling', 'station', 'st1']);
    expect(await getFacilityKind(db.pool, 'st1')).toBe('home-care');
    const out = await vigil(db, [
      'dwelling',
      'add',
      '--facility',
      'st1',
      '--id',
      'd-9',
      '--address',
      '安贞里 9 号',
      '--district',
      '朝阳区',
      '--resident',
      'r-9',
      '--resident-name',
      '李桂兰',
      '--kit',
      '--json',
    ]);
    const printed = JSON.parse(out.trim().split('\n').at(-1)!) as {
      devices: { id: string; kind: string; secret: string }[];
    };
    expect(printed.devices.map((d) => d.id)).toEqual([
      'd-9-sos',
      'd-9-pir',
      'd-9-bed',
      'd-9-door',
      'd-9-smoke',
      'd-9-gas',
    ]);
    const devices = await listDevices(db.pool, 'st1');
    expect(devices.every((d) => d.location === 'd-9')).toBe(true);
    expect(
      devices
        .filter((d) => d.resident === 'r-9')
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['bedmat', 'button']);
    const { rows } = await db.pool.query(`SELECT secret_hash FROM devices WHERE id = 'd-9-sos'`);
    expect(await verifySecret(rows[0].secret_hash, printed.devices[0]!.secret)).toBe(true);

    await vigil(db, [
      'dwelling',
      'contact',
      '--facility',
      'st1',
      '--resident',
      'r-9',
      '--name',
      '李强',
      '--relation',
      '儿子',
      '--email',
      'liqiang@example.com',
      '--consent',
    ]);
    expect((await listContacts(db.pool, 'st1', 'r-9'))[0]).toMatchObject({
      name: '李强',
      consentedAt: expect.any(Date),
    });
    // Its address is its email endpoint, for critical alerts.
    const endpoints = await db.pool.query(
      `SELECT target->>'email' AS email FROM notification_endpoints e JOIN resident_contacts c ON c.id = e.contact_id
       WHERE c.name = '李强' AND e.channel = 'email' AND e.disabled_at IS NULL`,
    );
    expect(endpoints.rows).toEqual([{ email: 'liqiang@example.com' }]);
  });
});
