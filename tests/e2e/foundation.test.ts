import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { exited, freePort, mosquittoPub, spawnVigil, vigil, waitFor } from '../helpers/processes.js';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';

/**
 * The foundation issue's "done": `vigil start` on a fresh database; a device registered with
 * `vigil device add` publishes a fall with mosquitto_pub; a caregiver's WebSocket receives the raised
 * alert; readings land in their hypertable; a malformed payload becomes a dead letter and breaks nothing.
 */
describe('vigil start, end to end', () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let output: () => string;
  let mqttPort: number;
  let httpUrl: string;
  let secret: string;
  let stream: StreamClient;
  let dataDir: string;
  const env = () => ({ DATABASE_URL: db.url });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-e2e-'));
    mqttPort = await freePort();
    const httpPort = await freePort();
    httpUrl = `http://127.0.0.1:${httpPort}`;
    ({ child, output } = spawnVigil(['start'], {
      ...env(),
      VIGIL_MQTT_PORT: String(mqttPort),
      VIGIL_HTTP_PORT: String(httpPort),
      VIGIL_DATA_DIR: dataDir,
      VIGIL_LOG_LEVEL: 'warn',
    }));
    await waitFor('vigil start to print the wall display URL', () => /wall display/i.test(output()), 60_000).catch(
      (err) => {
        throw new Error(`${err.message}\n--- vigil start output ---\n${output()}`);
      },
    );

    await vigil(
      ['facility', 'add', '--id', 'sunrise', '--name', 'Sunrise', '--region', 'north', '--timezone', 'Europe/Berlin'],
      env(),
    );
    await vigil(['location', 'add', '--facility', 'sunrise', '--id', 'room-1', '--kind', 'room'], env());
    await vigil(
      [
        'resident',
        'add',
        '--facility',
        'sunrise',
        '--id',
        'r-1',
        '--care-level',
        'semi-dependent',
        '--fall-risk',
        '--location',
        'room-1',
      ],
      env(),
    );
    const device = JSON.parse(
      await vigil(
        [
          'device',
          'add',
          '--facility',
          'sunrise',
          '--id',
          'wb-0001',
          '--kind',
          'wristband',
          '--resident',
          'r-1',
          '--json',
        ],
        env(),
      ),
    );
    expect(device).toEqual({ id: 'wb-0001', secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    secret = device.secret;
    const { token } = JSON.parse(
      await vigil(['token', 'create', '--role', 'caregiver', '--facility', 'sunrise', '--json'], env()),
    );
    stream = await connectStream(httpUrl, { token });
  }, 120_000);

  afterAll(async () => {
    stream?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGINT');
      await exited(child);
    }
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the wall display and docs URLs', () => {
    expect(output()).toContain(`${httpUrl}/display`);
    expect(output()).toContain(`${httpUrl}/docs`);
  });

  it('pushes a raised fall alert to the caregiver stream when the wristband reports a fall', async () => {
    const snapshot = await stream.next('snapshot');
    expect(snapshot.alerts).toEqual([]);
    const ts = new Date().toISOString();
    await mosquittoPub({
      port: mqttPort,
      id: 'wb-0001',
      secret,
      topic: 'vigil/v1/sunrise/wb-0001/event',
      message: JSON.stringify({ seq: 17, ts, type: 'fall', confidence: 0.93 }),
    });
    const raised = await stream.next('alert', (m) => m.event === 'raised');
    expect(raised.alert).toMatchObject({
      facility: 'sunrise',
      rule: 'fall',
      priority: 'critical',
      status: 'open',
      resident: 'r-1',
      device: 'wb-0001',
      occurredAt: ts,
    });
    expect(raised.eventId).toBeGreaterThan(snapshot.lastEventIds.sunrise ?? 0);
    const stored = await waitFor('the alert row', async () => {
      const { rows } = await db.pool.query(`SELECT rule, status FROM alerts WHERE id = $1`, [raised.alert.id]);
      return rows[0];
    });
    expect(stored).toEqual({ rule: 'fall', status: 'open' });
  });

  it('stores a reading in the vitals hypertable and the event in device_events', async () => {
    const ts = new Date().toISOString();
    await mosquittoPub({
      port: mqttPort,
      id: 'wb-0001',
      secret,
      topic: 'vigil/v1/sunrise/wb-0001/reading',
      message: JSON.stringify({ seq: 18, ts, hr: 72, spo2: 97 }),
    });
    const row = await waitFor('the vitals row', async () => {
      const { rows } = await db.pool.query(
        `SELECT device_id, seq, hr, spo2, resident_id, facility_id FROM vitals WHERE device_id = 'wb-0001' AND seq = 18`,
      );
      return rows[0];
    });
    expect(row).toEqual({
      device_id: 'wb-0001',
      seq: '18',
      hr: 72,
      spo2: 97,
      resident_id: 'r-1',
      facility_id: 'sunrise',
    });
    const events = await db.pool.query(`SELECT type FROM device_events WHERE device_id = 'wb-0001' AND seq = 17`);
    expect(events.rows).toEqual([{ type: 'fall' }]);
  });

  it('dead-letters a malformed payload with its reason and keeps accepting good ones', async () => {
    await mosquittoPub({
      port: mqttPort,
      id: 'wb-0001',
      secret,
      topic: 'vigil/v1/sunrise/wb-0001/reading',
      message: '{"seq": 19, "ts": "not a time", "hr": 999',
    });
    const dead = await waitFor('the dead letter', async () => {
      const { rows } = await db.pool.query(
        `SELECT topic, device_id, reason, payload FROM dead_letters WHERE device_id = 'wb-0001'`,
      );
      return rows[0];
    });
    expect(dead.topic).toBe('vigil/v1/sunrise/wb-0001/reading');
    expect(dead.reason).toMatch(/not valid JSON/);
    expect(dead.payload.toString()).toBe('{"seq": 19, "ts": "not a time", "hr": 999');

    await mosquittoPub({
      port: mqttPort,
      id: 'wb-0001',
      secret,
      topic: 'vigil/v1/sunrise/wb-0001/reading',
      message: JSON.stringify({ seq: 20, ts: new Date().toISOString(), hr: 70 }),
    });
    await waitFor('the next good reading', async () => {
      const { rowCount } = await db.pool.query(`SELECT 1 FROM vitals WHERE device_id = 'wb-0001' AND seq = 20`);
      return rowCount === 1;
    });
  });

  it('stops cleanly on Ctrl-C', async () => {
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
  });
});
