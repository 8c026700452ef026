import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice } from '@vigil/store';
import { deviceTopic, type AlertEvent } from '@vigil/protocol';
import { waitFor } from '../helpers/processes.js';
import { manualClock, startServiceFixture, type ServiceFixture } from './harness.js';

/**
 * docs/alerts.md "Flood control" over MQTT: a Last Will followed by a quick reconnect raises nothing, many devices
 * losing their connection together are one connectivity alert, and a facility's new non-critical alerts beyond the
 * cap are held back (with an alert about it) while a fall still goes through. The service runs on a clock the test
 * moves, so no test waits out a grace or a minute.
 */
describe('flood control through the real service', () => {
  let fixture: ServiceFixture;
  const clock = manualClock();
  const metrics = new Registry();
  const open: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    const grouping = { deviceOffline: { willGraceMs: 20_000 }, connectivity: { minDevices: 3, windowMs: 10_000 } };
    fixture = await startServiceFixture({ f1: grouping, f2: {} }, { clock, metrics, capPerMinute: 2 });
  });
  afterAll(async () => {
    await Promise.all(open.map((client) => client.endAsync(true)));
    await fixture?.close();
  });

  const listener = () => fixture.listener;
  const statusesEvaluated = async () => {
    const { values } = await metrics.getSingleMetric('vigil_alerts_messages_total')!.get();
    return values.find((v) => v.labels.kind === 'status' && v.labels.result === 'ok')?.value ?? 0;
  };

  /** A motion sensor of f1 that sets its Last Will as devices must (docs/PROTOCOL.md "Connection"). */
  async function sensor(id: string) {
    const { secret } = await addDevice(fixture.db.pool, {
      facility: 'f1',
      id,
      kind: 'pir',
      location: 'room-1',
      expectedIntervalS: 3600,
    });
    const topic = deviceTopic('f1', id, 'status');
    const connect = async () => {
      const client = await mqtt.connectAsync(fixture.gateway.url, {
        clientId: id,
        username: id,
        password: secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
        will: { topic, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
      });
      open.push(client);
      await client.publishAsync(topic, JSON.stringify({ online: true }), { qos: 1, retain: true });
      return client;
    };
    let client = await connect();
    return {
      /** The connection drops without DISCONNECT: the broker publishes the Last Will. */
      lose: () => client.stream.destroy(),
      reconnect: async () => void (client = await connect()),
    };
  }

  const raisedFor = (rule: string, device: string) => (e: AlertEvent) =>
    e.event === 'raised' && e.alert.rule === rule && e.alert.device === device;

  it('a Last Will followed by a reconnect within the grace raises nothing; one without raises after it', async () => {
    const blip = await sensor('pir-blip');
    const gone = await sensor('pir-gone');
    await waitFor('both online', async () => (await statusesEvaluated()) >= 2);
    blip.lose();
    gone.lose();
    await waitFor('both wills evaluated', async () => (await statusesEvaluated()) >= 4);
    await blip.reconnect();
    await waitFor('the reconnect evaluated', async () => (await statusesEvaluated()) >= 5);
    clock.advance(31_000); // past the grace (20 s) and the window (10 s) others get to join
    await listener().next('pir-gone offline', raisedFor('device_offline', 'pir-gone'));
    expect(listener().events.filter((e) => e.alert.device === 'pir-blip')).toEqual([]);
  });

  it('many devices losing their connection together raise one connectivity alert with the count', async () => {
    const before = await statusesEvaluated();
    const sensors = await Promise.all(['pir-a', 'pir-b', 'pir-c'].map(sensor));
    await waitFor('all online', async () => (await statusesEvaluated()) >= before + 3);
    for (const s of sensors) s.lose();
    await waitFor('the wills evaluated', async () => (await statusesEvaluated()) >= before + 6);
    clock.advance(21_000);
    const raised = await listener().next(
      'connectivity',
      (e) => e.event === 'raised' && e.alert.rule === 'connectivity' && e.alert.facility === 'f1',
    );
    expect(raised.alert).toMatchObject({
      priority: 'high',
      subject: 'facility',
      detail: expect.stringMatching(/^3 devices/),
    });
    clock.advance(60_000);
    // One comes back: two left are fewer than minDevices, so the alert clears and they raise on their own.
    await sensors[0]!.reconnect();
    await listener().next('connectivity cleared', (e) => e.event === 'auto_cleared' && e.alert.id === raised.alert.id);
    await listener().next('pir-b offline', raisedFor('device_offline', 'pir-b'));
    await listener().next('pir-c offline', raisedFor('device_offline', 'pir-c'));
    expect(listener().events.filter(raisedFor('device_offline', 'pir-a'))).toEqual([]);
  });

  it('holds back new warnings beyond the cap with an alert about it, never a fall, and lets them follow', async () => {
    const doors = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        fixture.connect({
          facility: 'f2',
          id: `door-${n}`,
          kind: 'door',
          location: 'room-1',
          expectedIntervalS: 3600,
        }),
      ),
    );
    const band = await fixture.connect({
      facility: 'f2',
      id: 'wb-f2',
      kind: 'wristband',
      resident: 'r1',
      expectedIntervalS: 3600,
    });
    for (const door of doors) await door.publish('reading', { ts: Date.now(), battery: 5 });
    const capped = await listener().next(
      'cap alert',
      (e) => e.event === 'raised' && e.alert.rule === 'flood_control' && e.alert.facility === 'f2',
    );
    // Raised at the first one held back (the count is refreshed at most every 30 s).
    expect(capped.alert).toMatchObject({
      priority: 'high',
      detail: expect.stringMatching(/^1 new alert held back: more than 2 a minute/),
    });
    await band.publish('event', { ts: Date.now(), type: 'fall' });
    await listener().next('fall despite the cap', raisedFor('fall', 'wb-f2'));
    const batteries = () => listener().events.filter((e) => e.event === 'raised' && e.alert.rule === 'low_battery');
    expect(batteries().map((e) => e.alert.device)).toEqual(['door-1', 'door-2']);
    const held = await metrics.getSingleMetric('vigil_alerts_held_back_total')!.get();
    expect(held.values).toMatchObject([{ labels: { rule: 'low_battery' }, value: 2 }]);

    clock.advance(61_000);
    await listener().next('cap alert cleared', (e) => e.event === 'auto_cleared' && e.alert.id === capped.alert.id);
    expect(batteries().map((e) => e.alert.device)).toEqual(['door-1', 'door-2', 'door-3', 'door-4']);
  });
});
