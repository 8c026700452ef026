import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import { verifyChain } from '@vigil/alerts';
import { clusterPaths, migrate, silentLogger, startCluster, stopCluster, type ClusterPaths } from '@vigil/core';
import { startTestGateway } from '../helpers/gateway.js';
import { freePort, waitFor } from '../helpers/processes.js';
import {
  connectDevice,
  listenForEvents,
  seedFacility,
  startTestAlerts,
  type EventListener,
  type TestDevice,
} from './harness.js';

// A throwaway cluster of its own: this test stops its database, which must never be the shared one.
describe('alerts while the database is down', () => {
  const log = silentLogger();
  let dir: string;
  let paths: ClusterPaths;
  let url: string;
  let pool: pg.Pool;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let listener: EventListener;
  let band: TestDevice;
  let alerts: AlertsHandle;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-alerts-pg-'));
    paths = await clusterPaths({ VIGIL_DATA_DIR: dir, VIGIL_PG_PORT: String(await freePort()) });
    url = await startCluster(log, paths);
    await migrate(url, log);
    pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined); // idle clients die with the server on purpose
    await seedFacility(pool, 'f1');
    gateway = await startTestGateway(url);
    listener = await listenForEvents(pool, gateway.url);
    band = await connectDevice(pool, gateway.url, { facility: 'f1', id: 'wb-1', kind: 'wristband', resident: 'r1' });
    alerts = await startTestAlerts(pool, url, gateway.url);
  });
  afterAll(async () => {
    await band?.close();
    await listener?.close();
    await alerts?.close();
    await gateway?.close();
    await pool?.end();
    if (paths) await stopCluster(log, paths);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('still pushes a fall from memory, and stores it in order once the database is back', async () => {
    await stopCluster(log, paths);
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.9 });
    const raised = await listener.next('fall raised without a database', (e) => e.event === 'raised');
    expect(raised.alert).toMatchObject({ rule: 'fall', resident: 'r1', status: 'open' });
    expect(alerts.backlog()).toBeGreaterThan(0);

    await startCluster(log, paths);
    await waitFor('backlog flushed', () => alerts.backlog() === 0, 30_000);
    const { rows } = await pool.query('SELECT id, type FROM alert_events ORDER BY id');
    expect(rows).toEqual([{ id: String(raised.eventId), type: 'raised' }]);
    const { rows: stored } = await pool.query('SELECT id, status FROM alerts');
    expect(stored).toEqual([{ id: raised.alert.id, status: 'open' }]);
    expect((await verifyChain(pool)).broken).toBeNull();
  });
});
