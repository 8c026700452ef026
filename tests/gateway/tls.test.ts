import { readFile } from 'node:fs/promises';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { makeTestCertificates, type TestCertificates } from './certificates.js';
import { closed, connect, mosquittoPub, nextMessage, reading, seedRegistry } from './fixtures.js';

/** Resolves with how a raw TLS handshake at `port` ended: 'connected' or the error's message. */
function handshake(port: number, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err) => resolve(err.message));
  });
}

async function refusals(metrics: Registry, reason: string): Promise<number> {
  const metric = await metrics.getSingleMetric('vigil_gateway_refusals_total')!.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('gateway TLS listener', () => {
  let db: TestDatabase;
  let certs: TestCertificates;
  let creds: Awaited<ReturnType<typeof seedRegistry>>;
  let ca: Buffer;
  const open: MqttClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    creds = await seedRegistry(db.pool);
    certs = await makeTestCertificates();
    ca = await readFile(certs.ca);
  });
  afterAll(async () => {
    for (const c of open) c.end(true);
    await db?.drop();
    await certs?.remove();
  });

  describe('TLS only', () => {
    let gw: Awaited<ReturnType<typeof startTestGateway>>;
    const metrics = new Registry();
    beforeAll(async () => {
      gw = await startTestGateway(db.url, {
        metrics,
        tls: { port: 0, certFile: certs.serverCert, keyFile: certs.serverKey, only: true },
      });
    });
    afterAll(() => gw?.close());

    it('delivers a reading that mosquitto_pub --cafile publishes over TLS', async () => {
      expect(gw.url).toBe(`mqtts://127.0.0.1:${gw.tlsPort}`);
      const ingest = await connect(gw.url, creds.ingest, { clientId: 'ingest-tls', ca });
      open.push(ingest);
      await ingest.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
      const got = nextMessage(ingest);
      const pub = await mosquittoPub(gw.tlsPort!, creds.wb1, 'vigil/v1/sunrise/wb-1/reading', reading(1), [
        ...['--cafile', certs.ca],
      ]);
      expect(pub).toEqual({ code: 0, stderr: '' });
      expect(await got).toMatchObject({ topic: 'vigil/v1/sunrise/wb-1/reading' });
    });

    it('refuses plain MQTT: no plain listener, and plain MQTT to the TLS port fails the handshake', async () => {
      const plain = await mosquittoPub(gw.tlsPort!, creds.wb1, 'vigil/v1/sunrise/wb-1/reading', reading(2));
      expect(plain.code).not.toBe(0);
      const before = await refusals(metrics, 'tls_handshake_failed');
      await expect(connect(`mqtt://127.0.0.1:${gw.tlsPort}`, creds.wb1)).rejects.toThrow();
      await expect.poll(() => refusals(metrics, 'tls_handshake_failed')).toBeGreaterThan(before);
    });

    it('applies the same packet guard behind TLS: an oversize publish closes the connection', async () => {
      const device = await connect(gw.url, creds.wb2, { ca });
      const gone = closed(device);
      const before = await refusals(metrics, 'packet_too_large');
      device.publish('vigil/v1/sunrise/wb-2/reading', 'x'.repeat(20_000), { qos: 1 });
      await gone;
      device.end(true);
      expect(await refusals(metrics, 'packet_too_large')).toBe(before + 1);
    });

    it('refuses TLS 1.1 and accepts TLS 1.2 and 1.3', async () => {
      // SECLEVEL=0 lets this client offer TLS 1.1 at all; the refusal must come from the server.
      const old = await handshake(gw.tlsPort!, {
        ca,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      expect(old).toMatch(/protocol version|unsupported protocol/i);
      expect(await handshake(gw.tlsPort!, { ca, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toBe('connected');
      expect(await handshake(gw.tlsPort!, { ca, minVersion: 'TLSv1.3' })).toBe('connected');
    });
  });

  describe('mutual TLS', () => {
    let gw: Awaited<ReturnType<typeof startTestGateway>>;
    beforeAll(async () => {
      gw = await startTestGateway(db.url, {
        tls: {
          port: 0,
          certFile: certs.serverCert,
          keyFile: certs.serverKey,
          caFile: certs.ca,
          requireClientCert: true,
        },
      });
    });
    afterAll(() => gw?.close());

    it('keeps the plain listener when not TLS-only', async () => {
      expect(gw.url).toBe(`mqtt://127.0.0.1:${gw.port}`);
      const client = await connect(gw.url, creds.hb1);
      client.end(true);
    });

    it('accepts a client certificate signed by the CA, and refuses a client without one', async () => {
      const topic = 'vigil/v1/sunrise/wb-1/reading';
      const withCert = ['--cafile', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey];
      expect(await mosquittoPub(gw.tlsPort!, creds.wb1, topic, reading(3), withCert)).toEqual({ code: 0, stderr: '' });
      const without = await mosquittoPub(gw.tlsPort!, creds.wb1, topic, reading(4), ['--cafile', certs.ca]);
      expect(without.code).not.toBe(0);
      // TLS 1.2, where the server's verdict on the client certificate ends the handshake itself (in 1.3 it
      // comes as an alert after the client considers itself connected).
      expect(await handshake(gw.tlsPort!, { ca, maxVersion: 'TLSv1.2' })).toMatch(/handshake failure|certificate/i);
    });
  });

  it('fails to start with VIGIL_ERR_GATEWAY_TLS_INVALID when the key does not exist', async () => {
    await expect(
      startTestGateway(db.url, { tls: { port: 0, certFile: certs.serverCert, keyFile: `${certs.dir}/missing.key` } }),
    ).rejects.toMatchObject({ code: 'VIGIL_ERR_GATEWAY_TLS_INVALID' });
  });
});
