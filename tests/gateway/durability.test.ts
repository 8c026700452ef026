import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connect, reading, seedRegistry } from './fixtures.js';
import { waitFor } from '../helpers/processes.js';

const CLI = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url));

/** Runs `vigil gateway` in a child process (so it can be killed with -9); resolves once it is listening. */
async function spawnGateway(databaseUrl: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=vigil-source', '--import', 'tsx', CLI, 'gateway'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, VIGIL_GATEWAY_DATA_DIR: dataDir, VIGIL_MQTT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(mqtt:\/\/[^"]+)","msg":"gateway ready"/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`vigil gateway exited with ${code}`)));
  });
  return { child, url };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('durable broker state', () => {
  let db: TestDatabase;
  let creds: Awaited<ReturnType<typeof seedRegistry>>;
  let dataDir: string;
  const open: MqttClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    creds = await seedRegistry(db.pool);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-gw-durable-'));
  });
  afterAll(async () => {
    for (const c of open) c.end(true);
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged QoS 1 message of an offline persistent session across kill -9', async () => {
    const first = await spawnGateway(db.url, dataDir);
    try {
      const ingest = await connect(first.url, creds.ingest, { clientId: 'ingest-durable', clean: false });
      await ingest.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
      await ingest.endAsync();
      const device = await connect(first.url, creds.wb1);
      for (let seq = 1; seq <= 50; seq++)
        await device.publishAsync('vigil/v1/sunrise/wb-1/reading', reading(seq), { qos: 1 });
      device.end(true);
    } finally {
      await kill9(first.child);
    }

    const second = await spawnGateway(db.url, dataDir);
    try {
      const seqs: number[] = [];
      const ingest = await connect(second.url, creds.ingest, { clientId: 'ingest-durable', clean: false }, (c) =>
        c.on('message', (_topic, payload) => seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq)),
      );
      open.push(ingest);
      await waitFor('all 50 queued messages after the restart', async () => seqs.length >= 50, 10_000);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    } finally {
      await kill9(second.child);
    }
  });

  it('reports devices that were connected when the gateway was killed as offline once it is back', async () => {
    const isOnline = async (id: string) =>
      (await db.pool.query<{ online: boolean }>('SELECT online FROM devices WHERE id = $1', [id])).rows[0]!.online;
    const first = await spawnGateway(db.url, dataDir);
    try {
      const device = await connect(first.url, creds.hb1); // no Last Will
      open.push(device);
      await waitFor('hb-1 online', () => isOnline('hb-1'), 10_000);
    } finally {
      await kill9(first.child);
    }
    expect(await isOnline('hb-1')).toBe(true); // nobody told the database otherwise

    const second = await spawnGateway(db.url, dataDir);
    try {
      await waitFor('hb-1 offline after the restart', async () => !(await isOnline('hb-1')), 10_000);
      const { rows } = await db.pool.query(
        `SELECT source, online FROM device_status WHERE device_id = 'hb-1' ORDER BY time DESC LIMIT 1`,
      );
      expect(rows).toEqual([{ source: 'disconnect', online: false }]);
    } finally {
      await kill9(second.child);
    }
  });

  it('delivers every one of 2 000 pipelined QoS 1 messages to a persistent subscriber (aedes#955)', async () => {
    const gw = await startTestGateway(db.url, { limits: { ratePerSecond: 1e6, rateBurst: 1e6 } });
    try {
      const seen = new Set<number>();
      const sub = await connect(gw.url, creds.ingest, { clientId: 'ingest-burst', clean: false });
      open.push(sub);
      sub.on('message', (_t, payload) => seen.add((JSON.parse(payload.toString()) as { seq: number }).seq));
      await sub.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
      const device = await connect(gw.url, creds.wb2);
      open.push(device);
      await Promise.all(
        Array.from({ length: 2000 }, (_, i) =>
          device.publishAsync('vigil/v1/sunrise/wb-2/reading', reading(i), { qos: 1 }),
        ),
      );
      await waitFor('all 2000 pipelined messages', async () => seen.size >= 2000, 20_000);
      expect(seen.size).toBe(2000);
    } finally {
      await gw.close();
    }
  });

  it('redelivers a QoS 1 message with DUP set when the subscriber dropped before its PUBACK', async () => {
    const gw = await startTestGateway(db.url);
    try {
      const silent = await connect(gw.url, creds.ingest, { clientId: 'ingest-dup', clean: false });
      await silent.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
      const got = new Promise<void>((resolve) => {
        // Never call done: no PUBACK goes out.
        silent.handleMessage = (_packet, _done) => resolve();
      });
      const device = await connect(gw.url, creds.wb1);
      open.push(device);
      await device.publishAsync('vigil/v1/sunrise/wb-1/reading', reading(900), { qos: 1 });
      await got;
      silent.end(true);

      let redelivered: (packet: IPublishPacket) => void = () => undefined;
      const arrived = new Promise<IPublishPacket>((resolve) => (redelivered = resolve));
      const again = await connect(gw.url, creds.ingest, { clientId: 'ingest-dup', clean: false }, (c) =>
        c.once('message', (_t, _p, pkt) => redelivered(pkt)),
      );
      open.push(again);
      const packet = await arrived;
      expect(packet.dup).toBe(true);
      expect(JSON.parse(String(packet.payload))).toMatchObject({ seq: 900 });
    } finally {
      await gw.close();
    }
  });
});
