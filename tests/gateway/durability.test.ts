import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connect, eventually, reading, seedRegistry } from './fixtures.js';

const SCRIPT = fileURLToPath(new URL('./gateway-process.ts', import.meta.url));

/** Starts the gateway in a child process and resolves with it and its port. */
async function spawnGateway(databaseUrl: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=vigil-source', '--import', 'tsx', SCRIPT], {
    env: { ...process.env, DATABASE_URL: databaseUrl, VIGIL_GATEWAY_DATA_DIR: dataDir, VIGIL_MQTT_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return { child, url: `mqtt://127.0.0.1:${port}` };
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
      const ingest = await connect(second.url, creds.ingest, { clientId: 'ingest-durable', clean: false });
      open.push(ingest);
      ingest.on('message', (_topic, payload) => seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq));
      await eventually(async () => seqs.length >= 50);
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    } finally {
      await kill9(second.child);
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

      const again = await connect(gw.url, creds.ingest, { clientId: 'ingest-dup', clean: false });
      open.push(again);
      const packet = await new Promise<{ dup: boolean; payload: Buffer }>((resolve) =>
        again.once('message', (_t, _p, pkt) => resolve(pkt)),
      );
      expect(packet.dup).toBe(true);
      expect(JSON.parse(packet.payload.toString())).toMatchObject({ seq: 900 });
    } finally {
      await gw.close();
    }
  });
});
