import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, hashPassword } from '@vigil/core';
import { addFacility, getDeviceCredentials, upsertDevicesWithSharedSecret } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/processes.js';
import { connect } from './fixtures.js';

describe('device secrets registered before the fast hash', () => {
  let db: TestDatabase;
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  const secret = generateSecret();

  beforeAll(async () => {
    db = await createTestDatabase();
    await addFacility(db.pool, { id: 'sunrise', name: 'Sunrise', region: 'north', timezone: 'Europe/Berlin' });
    // As the registry stored it before: an argon2id hash of the secret.
    await upsertDevicesWithSharedSecret(
      db.pool,
      'sunrise',
      [{ id: 'old-1', kind: 'wristband', expectedIntervalS: 60 }],
      await hashPassword(secret),
    );
    gw = await startTestGateway(db.url, { authCacheTtlMs: 0 });
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  it('refuses a wrong secret and leaves the argon2id hash alone', async () => {
    await expect(connect(gw.url, { id: 'old-1', secret: generateSecret() })).rejects.toMatchObject({ code: 4 });
    expect((await getDeviceCredentials(db.pool, 'old-1'))!.secretHash).toMatch(/^\$argon2id\$/);
  });

  it('logs the device in, upgrades its stored hash to sha256, and it logs in with that afterwards', async () => {
    (await connect(gw.url, { id: 'old-1', secret })).end(true);
    const upgraded = await waitFor('the upgraded hash', async () => {
      const hash = (await getDeviceCredentials(db.pool, 'old-1'))!.secretHash;
      return hash.startsWith('sha256$') ? hash : null;
    });
    (await connect(gw.url, { id: 'old-1', secret })).end(true);
    await expect(connect(gw.url, { id: 'old-1', secret: 'wrong' })).rejects.toMatchObject({ code: 4 });
    expect((await getDeviceCredentials(db.pool, 'old-1'))!.secretHash).toBe(upgraded);
  });
});
