import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopicFilter } from '@vigil/protocol';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { vigil, waitFor } from '../helpers/processes.js';
import { interrupt, logLines, startVigil, untilRunning, type Started } from '../helpers/vigil-start.js';
import { observe, type Received } from '../simulators/observer.js';

/** `vigil start` with ports and a data folder of its own, on the test database. */
const start = (db: TestDatabase, dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
  startVigil(args, { DATABASE_URL: db.url, VIGIL_DATA_DIR: dataDir, ...env });

describe('vigil simulate --scenario against a running vigil start', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let started: Started;
  let account: { id: string; secret: string };
  const clients: MqttClient[] = [];
  let statuses: Received[];

  async function subscribeStatuses() {
    const { client, messages } = await observe(
      started.mqttUrl,
      account,
      deviceTopicFilter('status', 'live'),
      `svc-watch-${clients.length}`,
    );
    clients.push(client);
    return messages;
  }
  const deviceCount = async () =>
    (await db.pool.query(`SELECT count(*)::int AS n FROM devices WHERE facility_id = 'live'`)).rows[0].n as number;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
    started = await start(db, dataDir, ['--simulate', '2', '--facility', 'live', '--scenario-every', '0']);
    await untilRunning(started);
    account = await upsertServiceAccount(db.pool, 'svc-watch', 'ingest');
    statuses = await subscribeStatuses();
    // The retained status of every device, all online: the fleet is connected.
    const n = await deviceCount();
    await waitFor('every device online', () => new Set(statuses.map((s) => s.topic)).size >= n);
  }, 150_000);

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await interrupt(started);
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("plays the scenario on the running fleet's device, raises its alert, and no device goes offline", async () => {
    const out = await vigil(['simulate', '--facility', 'live', '--scenario', 'fall', '--speed', '20'], started.env);
    expect(out).toMatch(/simulated by vigil start \(pid \d+\): playing on its devices/);
    const device = /scenario fall on (live-wb-\d+)/.exec(out)?.[1];
    expect(device).toBeDefined();
    expect(out).toMatch(/scenario fall played: \d+ messages/);

    const alert = await waitFor('the fall alert', async () => {
      const { rows } = await db.pool.query(`SELECT rule, device_id FROM alerts WHERE rule = 'fall'`);
      return rows[0];
    });
    expect(alert).toEqual({ rule: 'fall', device_id: device });
    // simulate connected nothing: no device lost its session, none said it went offline; a fresh
    // subscriber gets every device's retained status, all online.
    const fresh = await subscribeStatuses();
    await waitFor('every retained status', async () => fresh.length >= (await deviceCount()));
    expect(fresh.every((s) => s.retain && JSON.parse(s.payload).online === true)).toBe(true);
    expect(statuses.filter((s) => JSON.parse(s.payload).online === false)).toEqual([]);
    expect(logLines(started.output()).filter((l) => l.msg === 'scenario starts')).toEqual([
      expect.objectContaining({ scenario: 'fall', deviceId: device, origin: 'control', level: 30 }),
    ]);
  });

  it('prints the demo staff and regulator (Chinese names), a password each can sign in with, and the pages', async () => {
    const line = /sign in +liming \/ (\S+) \(李明, safety-officer\) · wangfang \/ (\S+) \(王芳, caregiver\)/.exec(
      started.output(),
    );
    expect(line).not.toBeNull();
    const response = await fetch(`http://127.0.0.1:${started.env.VIGIL_HTTP_PORT}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'liming', password: line![1] }),
    });
    expect(await response.json()).toMatchObject({ user: { name: '李明', role: 'safety-officer', facility: 'live' } });
    const regulator = / · zhaomin \/ (\S+) \(赵敏, regulator\)/.exec(started.output());
    const signedIn = await fetch(`http://127.0.0.1:${started.env.VIGIL_HTTP_PORT}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhaomin', password: regulator?.[1] }),
    });
    expect(await signedIn.json()).toMatchObject({ user: { name: '赵敏', role: 'regulator', region: 'demo' } });
    for (const page of ['officer', 'regulator']) {
      expect(started.output()).toContain(`http://127.0.0.1:${started.env.VIGIL_HTTP_PORT}/${page}`);
    }
  });

  it('refuses to simulate the same facility a second time', async () => {
    await expect(vigil(['simulate', '--facility', 'live'], started.env)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/VIGIL_ERR_SIM_FLEET_RUNNING: vigil start \(pid \d+\) is simulating facility live/),
    });
  });

  it('stops everything on SIGINT and removes its control file', async () => {
    expect(existsSync(join(dataDir, 'simulator-control.json'))).toBe(true);
    expect(await interrupt(started)).toBe(0);
    const stopped = logLines(started.output()).map((l) => l.msg);
    expect(stopped).toContain('stopping');
    expect(stopped.at(-1)).toBe('stopped');
    expect(existsSync(join(dataDir, 'simulator-control.json'))).toBe(false);
    // A clean stop: every device's status says offline (published before DISCONNECT).
    const n = await deviceCount();
    await waitFor(
      'every device offline',
      () => statuses.filter((s) => JSON.parse(s.payload).online === false).length >= n,
    );
  });
});

describe('vigil start --simulate, the living demo', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let started: Started | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-demo-'));
  });
  afterAll(async () => {
    await interrupt(started);
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a scenario from the library on its own, logged at info by name without readings', async () => {
    started = await start(db, dataDir, ['--simulate', '1'], { VIGIL_DEMO_SCENARIO_EVERY_S: '1' });
    await untilRunning(started);
    expect(started.output()).toMatch(/a scenario from the library every 1 s/);
    const line = await waitFor('a demo scenario', () =>
      logLines(started!.output()).find((l) => l.msg === 'scenario starts' && l.origin === 'demo'),
    );
    expect(line).toMatchObject({ level: 30, scenario: expect.any(String), deviceId: expect.stringMatching(/^demo-/) });
    expect(logLines(started.output()).filter((l) => 'payload' in l)).toEqual([]);
    expect(await interrupt(started)).toBe(0);
  });
});
