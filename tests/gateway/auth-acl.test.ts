import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { retireDevice } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { closed, connect, mosquittoPub, nextMessage, reading, seedRegistry, subackCodes } from './fixtures.js';

describe('gateway authentication and access control', () => {
  let db: TestDatabase;
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let creds: Awaited<ReturnType<typeof seedRegistry>>;
  const open: MqttClient[] = [];
  const track = (c: MqttClient) => (open.push(c), c);

  beforeAll(async () => {
    db = await createTestDatabase();
    creds = await seedRegistry(db.pool);
    gw = await startTestGateway(db.url);
  });
  afterAll(async () => {
    for (const c of open) c.end(true);
    await gw?.close();
    await db?.drop();
  });

  it('accepts a registered device and delivers its reading to the ingest service', async () => {
    const ingest = track(await connect(gw.url, creds.ingest, { clientId: 'ingest-1' }));
    await ingest.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
    const got = nextMessage(ingest);
    const pub = await mosquittoPub(gw.port, creds.wb1, 'vigil/v1/sunrise/wb-1/reading', reading(1));
    expect(pub.code).toBe(0);
    expect((await got).topic).toBe('vigil/v1/sunrise/wb-1/reading');
  });

  it('refuses a wrong secret with CONNACK 4 and an unknown device likewise (mosquitto_pub exits 5)', async () => {
    await expect(connect(gw.url, { id: 'wb-1', secret: 'nope' })).rejects.toMatchObject({ code: 4 });
    await expect(connect(gw.url, { id: 'ghost', secret: 'x' })).rejects.toMatchObject({ code: 4 });
    await expect(connect(gw.url, null)).rejects.toMatchObject({ code: 4 });
    const pub = await mosquittoPub(gw.port, { id: 'wb-1', secret: 'wrong' }, 'vigil/v1/sunrise/wb-1/reading', '{}');
    expect(pub.code).not.toBe(0);
    expect(pub.stderr).toMatch(/not authori[sz]ed|bad user name or password|refused/i);
  });

  it('refuses a device whose client id is not its device id', async () => {
    await expect(connect(gw.url, creds.wb1, { clientId: 'someone-else' })).rejects.toMatchObject({ code: 5 });
  });

  it('refuses a retired device with CONNACK 5 even right after a cached successful login', async () => {
    const before = await connect(gw.url, creds.wb2);
    before.end(true);
    await retireDevice(db.pool, 'wb-2');
    await expect(connect(gw.url, creds.wb2)).rejects.toMatchObject({ code: 5 });
  });

  it.each([
    ['another device of the same facility', 'vigil/v1/sunrise/wb-2/reading'],
    ['another facility', 'vigil/v1/harbor/wb-1/reading'],
    ['its own command topic', 'vigil/v1/sunrise/wb-1/command'],
    ['$SYS', '$SYS/broker/fake'],
    ['an internal topic', 'vigil/internal/v1/alert-events'],
  ])('disconnects a device publishing to %s, and nothing is delivered', async (_what, topic) => {
    const ingest = track(await connect(gw.url, creds.ingest, { clientId: `ingest-${Math.random()}` }));
    await ingest.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
    let delivered = 0;
    ingest.on('message', () => delivered++);
    const device = await connect(gw.url, creds.wb1);
    const gone = closed(device);
    device.publish(topic, reading(2), { qos: 1 });
    await gone;
    device.end(true);
    // A legitimate message afterwards arrives, and is the only one.
    const ok = track(await connect(gw.url, creds.hb1));
    const got = nextMessage(ingest);
    ok.publish('vigil/v1/harbor/hb-1/reading', JSON.stringify({ seq: 1, ts: Date.now(), battery: 90 }), { qos: 1 });
    expect((await got).topic).toBe('vigil/v1/harbor/hb-1/reading');
    expect(delivered).toBe(1);
  });

  it('grants a device only its own command topic (SUBACK 0x80 for #, $SYS and others)', async () => {
    const device = track(await connect(gw.url, creds.wb1));
    const granted = await subackCodes(device, [
      'vigil/v1/sunrise/wb-1/command',
      '#',
      '$SYS/#',
      'vigil/v1/sunrise/+/status',
      'vigil/v1/sunrise/wb-2/command',
    ]);
    expect(granted).toEqual([1, 128, 128, 128, 128]);
  });

  it('never leaks a retained status across the ACL', async () => {
    const hb = track(await connect(gw.url, creds.hb1));
    await hb.publishAsync('vigil/v1/harbor/hb-1/status', JSON.stringify({ online: true, seq: 1, ts: Date.now() }), {
      qos: 1,
      retain: true,
    });
    const spy = track(await connect(gw.url, creds.wb1));
    let leaked = 0;
    spy.on('message', () => leaked++);
    expect(await subackCodes(spy, ['vigil/v1/harbor/hb-1/status', 'vigil/v1/+/+/status'])).toEqual([128, 128]);
    // The ingest service does get it, retained, proving the message is there to leak.
    const ingest = track(await connect(gw.url, creds.ingest, { clientId: 'ingest-retained' }));
    const got = nextMessage(ingest);
    await ingest.subscribeAsync('vigil/v1/+/+/status', { qos: 1 });
    expect(await got).toMatchObject({ topic: 'vigil/v1/harbor/hb-1/status', retain: true });
    await spy.publishAsync('vigil/v1/sunrise/wb-1/reading', reading(3), { qos: 1 });
    expect(leaked).toBe(0);
  });

  it('lets services subscribe only within their role, shared subscriptions included', async () => {
    const ingest = track(await connect(gw.url, creds.ingest, { clientId: 'ingest-acl' }));
    const granted = await subackCodes(ingest, [
      '$share/ingest/vigil/v1/+/+/event',
      'vigil/v1/sunrise/+/reading',
      '#',
      'vigil/internal/v1/#',
      '$SYS/#',
    ]);
    expect(granted).toEqual([1, 1, 128, 128, 128]);
    // aedes has no $share: the gateway subscribes the plain filter, so the member still gets the stream.
    const got = nextMessage(ingest);
    const device = track(await connect(gw.url, creds.hb1));
    await device.publishAsync('vigil/v1/harbor/hb-1/event', JSON.stringify({ seq: 5, ts: Date.now(), type: 'sos' }), {
      qos: 1,
    });
    expect((await got).topic).toBe('vigil/v1/harbor/hb-1/event');
  });

  it('refuses a service login that would take over a device session', async () => {
    await expect(connect(gw.url, creds.ingest, { clientId: 'wb-1' })).rejects.toMatchObject({ code: 5 });
  });
});
