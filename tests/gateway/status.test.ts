import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { closed, connect, nextMessage, seedRegistry } from './fixtures.js';
import { waitFor } from '../helpers/processes.js';

describe('device status from connections', () => {
  let db: TestDatabase;
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let creds: Awaited<ReturnType<typeof seedRegistry>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    creds = await seedRegistry(db.pool);
    gw = await startTestGateway(db.url);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const sources = async (device: string) =>
    (
      await db.pool.query<{ source: string; online: boolean }>(
        'SELECT source, online FROM device_status WHERE device_id = $1 ORDER BY time, received_at',
        [device],
      )
    ).rows.map((r) => `${r.source}:${r.online}`);
  const current = async (device: string) =>
    (
      await db.pool.query<{ online: boolean | null; seen: boolean }>(
        'SELECT online, last_seen_at IS NOT NULL AS seen FROM devices WHERE id = $1',
        [device],
      )
    ).rows[0]!;

  it('records connect and a clean disconnect, and keeps devices.online current', async () => {
    const device = await connect(gw.url, creds.wb1);
    await waitFor('wb-1 online', async () => (await current('wb-1')).online === true, 10_000);
    expect(await current('wb-1')).toEqual({ online: true, seen: true });
    await device.endAsync();
    await waitFor('wb-1 offline', async () => (await current('wb-1')).online === false, 10_000);
    expect(await sources('wb-1')).toEqual(['connect:true', 'disconnect:false']);
  });

  it('publishes the Last Will (retained) when a device vanishes and records it as source will', async () => {
    const ingest = await connect(gw.url, creds.ingest, { clientId: 'ingest-will' });
    await ingest.subscribeAsync('vigil/v1/+/+/status', { qos: 1 });
    const device = await connect(gw.url, creds.hb1, {
      will: { topic: 'vigil/v1/harbor/hb-1/status', payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    });
    await waitFor('hb-1 online', async () => (await current('hb-1')).online === true, 10_000);
    const will = nextMessage(ingest);
    device.stream.destroy(); // no DISCONNECT packet: the broker must treat it as a lost device
    expect(await will).toMatchObject({ topic: 'vigil/v1/harbor/hb-1/status', payload: '{"online":false}' });
    await waitFor('the Last Will status row', async () => (await sources('hb-1')).includes('will:false'), 10_000);
    expect(await current('hb-1')).toMatchObject({ online: false });
    device.end(true);

    // The will is retained: a subscriber arriving later learns the device is offline.
    const late = await connect(gw.url, creds.ingest, { clientId: 'ingest-late' });
    const retained = nextMessage(late);
    await late.subscribeAsync('vigil/v1/harbor/+/status', { qos: 1 });
    expect(await retained).toMatchObject({ payload: '{"online":false}', retain: true });
    ingest.end(true);
    late.end(true);
  });

  it('lets a second connection with the same client id take over the first', async () => {
    const first = await connect(gw.url, creds.wb1);
    const firstGone = closed(first);
    const second = await connect(gw.url, creds.wb1);
    await firstGone;
    expect(second.connected).toBe(true);
    await waitFor('five status rows of wb-1', async () => (await sources('wb-1')).length >= 5, 10_000);
    expect((await sources('wb-1')).slice(-3)).toEqual(['connect:true', 'disconnect:false', 'connect:true']);
    await waitFor('wb-1 online', async () => (await current('wb-1')).online === true, 10_000);
    first.end(true);
    await second.endAsync();
  });
});
