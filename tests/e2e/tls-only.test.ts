import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, addFacility, addLocation, addResident, createToken } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, mosquittoPub, waitFor } from '../helpers/processes.js';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import { interrupt, startVigil, untilRunning, type Started } from '../helpers/vigil-start.js';

const run = promisify(execFile);

/** Resolves with how a plain TCP connection to `port` ended: 'connected' or the error's code. */
function tcp(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * `vigil start` with the gateway TLS-only (docs/gateway.md): ingest, alerts, dispatch and the api connect over TLS
 * to it, trusting its self-signed certificate, and a device that publishes with `mosquitto_pub --cafile` raises an
 * alert that reaches a caregiver's stream.
 */
describe('vigil start, TLS only', () => {
  let db: TestDatabase;
  let dir: string;
  let started: Started;
  let tlsPort: number;
  let secret: string;
  let stream: StreamClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'vigil-tls-start-'));
    // One self-signed certificate: no CA of its own, so the services trust the gateway's certificate itself.
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    ]);
    tlsPort = await freePort();
    started = await startVigil([], {
      DATABASE_URL: db.url,
      VIGIL_DATA_DIR: join(dir, 'data'),
      VIGIL_MQTT_TLS_CERT: join(dir, 'cert.pem'),
      VIGIL_MQTT_TLS_KEY: join(dir, 'key.pem'),
      VIGIL_MQTT_TLS_PORT: String(tlsPort),
      VIGIL_MQTT_TLS_ONLY: 'true',
    });
    await untilRunning(started);

    await addFacility(db.pool, { id: 'sunrise', name: '朝阳站', region: 'north', timezone: 'Asia/Shanghai' });
    await addLocation(db.pool, { facility: 'sunrise', id: 'room-1', kind: 'room' });
    await addResident(db.pool, { facility: 'sunrise', id: 'r-1', careLevel: 'semi-dependent', location: 'room-1' });
    ({ secret } = await addDevice(db.pool, { facility: 'sunrise', id: 'wb-1', kind: 'wristband', resident: 'r-1' }));
    const { token } = await createToken(db.pool, { role: 'caregiver', facility: 'sunrise' });
    stream = await connectStream(`http://127.0.0.1:${started.env.VIGIL_HTTP_PORT}`, { token });
  }, 120_000);
  afterAll(async () => {
    stream?.close();
    await interrupt(started);
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('comes up with plain TCP off and says where devices connect', async () => {
    expect(started.output()).toContain(`mqtts://127.0.0.1:${tlsPort}`);
    expect(await tcp(Number(started.env.VIGIL_MQTT_PORT))).toBe('ECONNREFUSED');
  });

  it('a device over TLS raises an alert: alerts, ingest and the api all take it over TLS', async () => {
    await stream.next('snapshot');
    const publish = (kind: string, message: object) =>
      mosquittoPub({
        port: tlsPort,
        id: 'wb-1',
        secret,
        topic: `vigil/v1/sunrise/wb-1/${kind}`,
        message: JSON.stringify(message),
        extra: ['--cafile', join(dir, 'cert.pem')],
      });
    const ts = new Date().toISOString();
    await publish('event', { seq: 1, ts, type: 'sos' });
    const raised = await stream.next('alert', (m) => m.event === 'raised');
    expect(raised.alert).toMatchObject({ facility: 'sunrise', rule: 'sos', device: 'wb-1', occurredAt: ts });

    await publish('reading', { seq: 2, ts: new Date().toISOString(), hr: 71, spo2: 97 });
    await waitFor('the reading stored by ingest', async () => {
      const { rows } = await db.pool.query(`SELECT hr FROM vitals WHERE device_id = 'wb-1'`);
      return rows[0]?.hr === 71;
    });
  });
});
