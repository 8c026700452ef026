import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertServiceAccount } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { closed, connect, nextMessage, reading, seedRegistry, type Credentials } from './fixtures.js';
import { waitFor } from '../helpers/processes.js';

/** A raw TCP socket to the gateway; resolves `gone` when the server closes it. */
function rawSocket(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, gone, ready: new Promise<void>((resolve) => socket.once('connect', () => resolve())) };
}

describe('gateway limits', () => {
  let db: TestDatabase;
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let creds: Awaited<ReturnType<typeof seedRegistry>>;
  let simulator: Credentials;
  const metrics = new Registry();
  const refusals = async (reason: string) =>
    (await metrics.getSingleMetric('vigil_gateway_refusals_total')!.get()).values.find(
      (v) => v.labels.reason === reason,
    )?.value ?? 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    creds = await seedRegistry(db.pool);
    simulator = await upsertServiceAccount(db.pool, 'sim-svc', 'simulator');
    gw = await startTestGateway(db.url, {
      metrics,
      limits: { connectTimeoutMs: 300, ratePerSecond: 1, rateBurst: 5, drainTimeoutMs: 500 },
    });
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  it('refuses a packet over 16 KiB by closing the connection, and accepts one under it', async () => {
    const ingest = await connect(gw.url, creds.ingest, { clientId: 'ingest-size' });
    await ingest.subscribeAsync('vigil/v1/+/+/event', { qos: 1 });
    const big = await connect(gw.url, creds.wb1);
    const gone = closed(big);
    big.publish('vigil/v1/sunrise/wb-1/event', 'x'.repeat(17 * 1024), { qos: 1 });
    await gone;
    big.end(true);
    expect(await refusals('packet_too_large')).toBe(1);

    const ok = await connect(gw.url, creds.wb2);
    const got = nextMessage(ingest);
    await ok.publishAsync(
      'vigil/v1/sunrise/wb-2/event',
      JSON.stringify({ seq: 1, ts: Date.now(), type: 'sos', pad: 'y'.repeat(15 * 1024) }),
      {
        qos: 1,
      },
    );
    expect((await got).topic).toBe('vigil/v1/sunrise/wb-2/event');
    ok.end(true);
    ingest.end(true);
  });

  it('closes sockets that send garbage or a first packet other than CONNECT, and keeps serving', async () => {
    const garbage = rawSocket(gw.port);
    await garbage.ready;
    garbage.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    const ping = rawSocket(gw.port);
    await ping.ready;
    ping.socket.write(Buffer.from([0xc0, 0x00])); // PINGREQ
    const publish = rawSocket(gw.port);
    await publish.ready;
    publish.socket.write(
      mqttPacket.generate({
        cmd: 'publish',
        topic: 'vigil/v1/sunrise/wb-1/reading',
        payload: '{}',
        qos: 0,
        dup: false,
        retain: false,
      }),
    );
    await Promise.all([garbage.gone, ping.gone, publish.gone]);
    const fine = await connect(gw.url, creds.wb1);
    expect(fine.connected).toBe(true);
    fine.end(true);
  });

  it('closes 1 000 idle sockets that never send CONNECT, with memory staying bounded', async () => {
    const before = process.memoryUsage().rss;
    const sockets = Array.from({ length: 1000 }, () => rawSocket(gw.port));
    await Promise.all(sockets.map((s) => s.gone));
    expect(await refusals('connect_timeout')).toBeGreaterThanOrEqual(1000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    const fine = await connect(gw.url, creds.wb1);
    expect(fine.connected).toBe(true);
    fine.end(true);
  });

  it('holds a keepalive of 0 (never) to the limit: a silent client is dropped, one that pings stays', async () => {
    const own = new Registry();
    const strict = await startTestGateway(db.url, { metrics: own, limits: { maxKeepaliveSeconds: 1 } });
    try {
      const pinging = await connect(strict.url, creds.wb2, { keepalive: 1 });
      const silent = await connect(strict.url, creds.wb1, { keepalive: 0 }); // mqtt.js then sends no PINGREQ
      await closed(silent); // after 1.5 × the 1 s limit
      expect((await own.getSingleMetric('vigil_gateway_keepalive_capped_total')!.get()).values[0]!.value).toBe(1);
      expect(pinging.connected).toBe(true);
      pinging.end(true);
    } finally {
      await strict.close();
    }
  });

  it('disconnects a device that exceeds its message rate', async () => {
    const device = await connect(gw.url, creds.hb1);
    const gone = closed(device);
    for (let seq = 1; seq <= 30; seq++) device.publish('vigil/v1/harbor/hb-1/reading', reading(seq), { qos: 0 });
    await gone;
    device.end(true);
    expect(await refusals('rate_limited')).toBe(1);
  });

  it('disconnects a frozen subscriber after drainTimeout while the others keep receiving', async () => {
    const healthy = await connect(gw.url, creds.ingest, { clientId: 'ingest-healthy' });
    let count = 0;
    healthy.on('message', () => count++);
    await healthy.subscribeAsync('vigil/v1/+/+/event', { qos: 0 });

    const frozen = rawSocket(gw.port);
    await frozen.ready;
    frozen.socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        clientId: 'ingest-frozen',
        username: creds.ingest.id,
        password: Buffer.from(creds.ingest.secret),
      }),
    );
    frozen.socket.write(
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'vigil/v1/+/+/event', qos: 0 }] }),
    );
    frozen.socket.pause(); // reads nothing from now on: its socket buffers fill up
    await waitFor(
      'both service subscribers connected',
      async () =>
        (await metrics.getSingleMetric('vigil_gateway_connected_clients')!.get()).values.some(
          (v) => v.labels.type === 'service' && v.value >= 2,
        ),
      10_000,
    );

    const sim = await connect(gw.url, simulator, { clientId: 'sim-1' });
    const payload = JSON.stringify({ seq: 1, ts: Date.now(), type: 'motion', pad: 'z'.repeat(15 * 1024) });
    const total = 1500;
    for (let i = 0; i < total; i++) sim.publish('vigil/v1/sunrise/pir-1/event', payload, { qos: 0 });
    await waitFor('every message at the healthy subscriber', async () => count >= total, 20_000);
    expect(await refusals('drain_timeout')).toBe(1);
    // The gateway closed it; a paused socket only notices once it reads again.
    frozen.socket.resume();
    await frozen.gone;
    sim.end(true);
    healthy.end(true);
  });
});
