import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connect, seedRegistry, type Credentials } from './fixtures.js';
import { waitFor } from '../helpers/processes.js';
import { Mosquitto } from './mosquitto.js';

describe('store-and-forward uplink to a real Mosquitto', () => {
  let db: TestDatabase;
  let creds: Awaited<ReturnType<typeof seedRegistry>>;
  let upstream: Mosquitto;
  let auditor: MqttClient;
  let dataDir: string;
  const received: Array<{ device: string; seq: number }> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    creds = await seedRegistry(db.pool);
    upstream = await Mosquitto.create();
    await upstream.start();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-gw-uplink-'));
    // The auditor stands for the cloud side: a persistent session at the upstream broker.
    auditor = mqtt.connect(upstream.url, {
      clientId: 'auditor',
      clean: false,
      reconnectPeriod: 100,
      protocolVersion: 4,
    });
    await new Promise((resolve) => auditor.once('connect', resolve));
    await auditor.subscribeAsync('vigil/v1/#', { qos: 1 });
    auditor.on('message', (topic, payload) => {
      received.push({ device: topic.split('/')[3]!, seq: (JSON.parse(payload.toString()) as { seq: number }).seq });
    });
  });
  afterAll(async () => {
    auditor?.end(true);
    await upstream?.destroy();
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function publishSeqs(url: string, device: Credentials, facility: string, from: number, to: number) {
    const client = await connect(url, device);
    for (let seq = from; seq <= to; seq++) {
      const payload = JSON.stringify({
        seq,
        ts: Date.now(),
        ...(device.id.startsWith('wb') ? { hr: 70 } : { battery: 80 }),
      });
      await client.publishAsync(`vigil/v1/${facility}/${device.id}/reading`, payload, { qos: 1 });
    }
    await client.endAsync();
  }

  it('delivers every message in order per device across an outage and a gateway restart', async () => {
    const upstreamOptions = { url: upstream.url, clientId: 'gw-test', reconnectMs: 100 };
    const metrics = new Registry();
    let gw = await startTestGateway(db.url, { dataDir, upstream: upstreamOptions, metrics });
    await publishSeqs(gw.url, creds.wb1, 'sunrise', 1, 10);
    await waitFor('the first 10 messages upstream', async () => received.length >= 10, 10_000);

    await upstream.stop();
    await Promise.all([
      publishSeqs(gw.url, creds.wb1, 'sunrise', 11, 40),
      publishSeqs(gw.url, creds.hb1, 'harbor', 1, 30),
    ]);
    const depth = (await metrics.getSingleMetric('vigil_gateway_outbox_depth')!.get()).values[0]!.value;
    expect(depth).toBe(60);

    // Restart the gateway while the uplink is still down: the outbox is on disk.
    await gw.close();
    gw = await startTestGateway(db.url, { dataDir, upstream: upstreamOptions });
    await publishSeqs(gw.url, creds.wb1, 'sunrise', 41, 50);

    await upstream.start();
    await waitFor(
      'all 80 messages upstream',
      async () => new Set(received.map((r) => `${r.device}:${r.seq}`)).size >= 80,
      20_000,
    );
    await gw.close();

    for (const [device, last] of [
      ['wb-1', 50],
      ['hb-1', 30],
    ] as const) {
      const seqs = received.filter((r) => r.device === device).map((r) => r.seq);
      const unique = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(unique).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    }
  });
});
