import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopicFilter, parseDeviceMessage, parseDeviceTopic } from '@vigil/protocol';
import { seedLoadDevices, startLoad } from '@vigil/simulators';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';

describe('load runs through the real gateway', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let subscriber: MqttClient;
  const received: Array<{ topic: string; payload: string }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db.url);
    const svc = await upsertServiceAccount(db.pool, 'svc-load', 'ingest');
    subscriber = await mqtt.connectAsync(gateway.url, {
      protocolVersion: 4,
      clientId: 'svc-load',
      username: svc.id,
      password: svc.secret,
      reconnectPeriod: 0,
    });
    subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await subscriber.subscribeAsync(deviceTopicFilter('reading'), { qos: 1 });
  });
  afterAll(async () => {
    subscriber?.end(true);
    await gateway?.close();
    await db?.drop();
  });

  it('registers thousands of devices at once, all with one (benchmark-only) shared secret', async () => {
    const seeded = await seedLoadDevices(db.pool, { facility: 'bulk', count: 2000, kinds: ['wristband', 'smoke'] });
    expect(seeded.devices).toHaveLength(2000);
    expect(new Set(seeded.devices.map((d) => d.secret)).size).toBe(1);
    const { rows } = await db.pool.query(
      `SELECT kind, count(*)::int AS n FROM devices WHERE facility_id = 'bulk' GROUP BY kind ORDER BY kind`,
    );
    expect(rows).toEqual([
      { kind: 'smoke', n: 1000 },
      { kind: 'wristband', n: 1000 },
    ]);
  });

  it('one connection per device: every device publishes at the rate, every message acknowledged', async () => {
    const seeded = await seedLoadDevices(db.pool, { facility: 'per-device', count: 12 });
    const load = await startLoad({
      mqttUrl: gateway.url,
      devices: seeded.devices,
      ratePerDevice: 5,
      batchSamples: 8,
      durationMs: 1000,
    });
    const report = await load.done;
    expect(report).toMatchObject({ devices: 12, connected: 12, failed: 0, skipped: 0 });
    expect(load.stats().inFlight).toBe(0);
    // ~5 readings a second each for a second (timers are not exact): well above half of it.
    expect(report.published).toBeGreaterThan(12 * 5 * 0.5);
    // Everything in the window but the 12 offline statuses at the end is a batch of 8 samples.
    expect(report.samples).toBe((report.published - 12) * 8);
  });

  it('through a simulator service account: 500 devices over two connections', async () => {
    const seeded = await seedLoadDevices(db.pool, { facility: 'shared', count: 500 });
    const account = await upsertServiceAccount(db.pool, 'sim-load', 'simulator');
    const load = await startLoad({
      mqttUrl: gateway.url,
      devices: seeded.devices,
      ratePerDevice: 2,
      durationMs: 1000,
      account: { username: account.id, password: account.secret, connections: 2 },
    });
    const report = await load.done;
    expect(report).toMatchObject({ devices: 500, connected: 500, failed: 0 });
    expect(load.stats().inFlight).toBe(0);
    expect(report.published).toBeGreaterThan(500 * 2 * 0.5);
    const fromShared = received.filter((m) => m.topic.startsWith('vigil/v1/shared/'));
    expect(new Set(fromShared.map((m) => parseDeviceTopic(m.topic)?.device)).size).toBeGreaterThan(400);
    for (const m of fromShared.slice(0, 200))
      expect(parseDeviceMessage('reading', 'wristband', m.payload, Date.now()).ok).toBe(true);
  });
});
