import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopic, deviceTopicFilter, parseDeviceMessage, parseDeviceTopic, type DeviceKind } from '@vigil/protocol';
import { seedDemoFacility, startFleet, type Fleet, type SeededFacility } from '@vigil/simulators';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/processes.js';
import { observe, type Received } from './observer.js';

describe('simulated fleet through the real gateway', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let seeded: SeededFacility;
  let fleet: Fleet | undefined;
  let service: { id: string; secret: string };
  const clients: MqttClient[] = [];
  let received: Received[] = [];

  async function subscriber(filters: string | string[]): Promise<{ client: MqttClient; messages: Received[] }> {
    const observer = await observe(gateway.url, service, filters, `svc-test-${clients.length}`);
    clients.push(observer.client);
    return observer;
  }

  /** The retained statuses a subscriber arriving now receives (it waits for `count` of them). */
  async function retainedStatuses(filter: string, count: number): Promise<Received[]> {
    const { client, messages } = await subscriber(filter);
    await waitFor(`${count} retained statuses`, () => messages.length >= count);
    client.end(true);
    return messages;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db.url);
    seeded = await seedDemoFacility(db.pool, { facility: 'sim-it', residents: 3 });
    service = await upsertServiceAccount(db.pool, 'svc-test', 'ingest');
    const filters = (['reading', 'event', 'status'] as const).map((kind) => deviceTopicFilter(kind, 'sim-it'));
    received = (await subscriber(filters)).messages;
  });
  afterAll(async () => {
    await fleet?.close();
    for (const client of clients) client.end(true);
    await gateway?.close();
    await db?.drop();
  });

  it('connects every seeded device with its credentials; each publishes a retained status and readings', async () => {
    fleet = await startFleet({
      mqttUrl: gateway.url,
      devices: seeded.devices,
      intervalMs: 1000,
      firstReadingWithinMs: 200,
      activity: false,
      commands: true,
    });
    expect(fleet.stats()).toMatchObject({
      devices: seeded.devices.length,
      connected: seeded.devices.length,
      refused: 0,
    });
    const ids = seeded.devices.map((d) => d.id);
    const readingTopics = new Set(ids.map((id) => deviceTopic('sim-it', id, 'reading')));
    await waitFor(
      'a reading from every device',
      () => new Set(received.map((m) => m.topic).filter((t) => readingTopics.has(t))).size === ids.length,
    );
    // Statuses are checked in the retained store: live delivery to a subscriber is the gateway's concern
    // (tests/gateway/status.test.ts, docs/gateway.md "Device status").
    const retained = await retainedStatuses(deviceTopicFilter('status', 'sim-it'), ids.length);
    expect(new Set(retained.map((m) => parseDeviceTopic(m.topic)?.device))).toEqual(new Set(ids));
    expect(retained.every((m) => m.retain && JSON.parse(m.payload).online === true)).toBe(true);
  });

  it('every message the gateway delivered passes the protocol contract', () => {
    const kinds = new Map<string, DeviceKind>(seeded.devices.map((d) => [d.id, d.kind]));
    expect(received.length).toBeGreaterThanOrEqual(seeded.devices.length);
    for (const m of received) {
      const topic = parseDeviceTopic(m.topic)!;
      const result = parseDeviceMessage(topic.kind, kinds.get(topic.device)!, m.payload, Date.now());
      expect(result.ok ? 'ok' : `${m.topic}: ${result.reason}`).toBe('ok');
    }
  });

  it('a fall injected on a wristband arrives as a fall event', async () => {
    const band = seeded.devices.find((d) => d.kind === 'wristband')!;
    // The scenario goes on for a minute (a settling pulse); the event comes first.
    void fleet!.inject(band.id, 'fall');
    const topic = deviceTopic('sim-it', band.id, 'event');
    const event = await waitFor('the fall event', () => received.find((m) => m.topic === topic));
    expect(JSON.parse(event.payload)).toMatchObject({ type: 'fall', confidence: expect.any(Number) });
  });

  it("a scenario requested on a device's command topic (as the api would for a drill) is played", async () => {
    const button = seeded.devices.find((d) => d.kind === 'button')!;
    const api = await upsertServiceAccount(db.pool, 'svc-api', 'api');
    const sender = await mqtt.connectAsync(gateway.url, {
      protocolVersion: 4,
      clientId: 'svc-api',
      username: api.id,
      password: api.secret,
      reconnectPeriod: 0,
    });
    clients.push(sender);
    const command = deviceTopic('sim-it', button.id, 'command');
    await sender.publishAsync(command, 'not json', { qos: 1 });
    await sender.publishAsync(command, JSON.stringify({ simulate: 'sos' }), { qos: 1 });
    const topic = deviceTopic('sim-it', button.id, 'event');
    const sos = await waitFor('the sos event', () => received.find((m) => m.topic === topic));
    expect(JSON.parse(sos.payload)).toMatchObject({ type: 'sos' });
  });

  it('an offline scenario drops the connection without DISCONNECT: the retained Last Will says offline', async () => {
    const mat = seeded.devices.find((d) => d.kind === 'bedmat')!;
    const topic = deviceTopic('sim-it', mat.id, 'status');
    const before = fleet!.stats().connected;
    void fleet!.inject(mat.id, 'offline');
    await waitFor('the device to go offline', () => fleet!.stats().connected === before - 1);
    // A subscriber arriving later gets the broker's Last Will as the retained status (once it is stored).
    const will = await waitFor('the Last Will', async () =>
      (await retainedStatuses(topic, 1)).find((m) => m.payload === '{"online":false}'),
    );
    expect(will.retain).toBe(true);
  });

  it('a device with a wrong secret is refused and stops trying', async () => {
    const [first] = seeded.devices;
    const wrong = await startFleet({ mqttUrl: gateway.url, devices: [{ ...first!, secret: 'not-the-secret' }] });
    expect(wrong.stats()).toMatchObject({ connected: 0, refused: 1 });
    await wrong.close();
  });

  it('closing the fleet leaves every device retained as offline', async () => {
    const stats = fleet!.stats();
    expect(stats.acked).toBeGreaterThan(0);
    expect(stats.failed).toBe(0);
    await fleet!.close();
    fleet = undefined;
    const last = await retainedStatuses(deviceTopicFilter('status', 'sim-it'), seeded.devices.length);
    expect(last.every((m) => m.retain && JSON.parse(m.payload).online === false)).toBe(true);
  });
});
