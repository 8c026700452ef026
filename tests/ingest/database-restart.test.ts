import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clusterPaths, migrate, silentLogger, startCluster, stopCluster, type ClusterPaths } from '@vigil/core';
import { upsertServiceAccount } from '@vigil/store';
import { start, type IngestHandle } from '@vigil/ingest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { freePort, waitFor } from '../helpers/processes.js';
import { countRows, createFleet, makeStream, publishAll, type Fleet } from './stream-fixture.js';

// The shared cluster on 55432 must never be restarted: this file starts a throwaway cluster of its own for
// ingest, while the gateway keeps authenticating against the shared test database.
describe('PostgreSQL restarted mid-stream', () => {
  let tmp: string;
  let paths: ClusterPaths;
  let ingestDb: pg.Pool;
  let authDb: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let ingest: IngestHandle;
  let fleet: Fleet;
  let simulator: { username: string; password: string };

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'vigil-ingest-pg-'));
    paths = await clusterPaths({ VIGIL_DATA_DIR: tmp, VIGIL_PG_PORT: String(await freePort()) });
    const url = await startCluster(silentLogger(), paths);
    await migrate(url, silentLogger());
    ingestDb = new pg.Pool({ connectionString: url, max: 2 });
    ingestDb.on('error', () => {}); // its connections die with the restart, on purpose
    fleet = await createFleet(ingestDb, 'f-pg', 16);

    authDb = await createTestDatabase();
    gateway = await startTestGateway(authDb.url);
    const account = await upsertServiceAccount(authDb.pool, 'svc-ingest-pg', 'ingest');
    const sim = await upsertServiceAccount(authDb.pool, 'sim-pg', 'simulator');
    simulator = { username: sim.id, password: sim.secret };
    ingest = await start({
      databaseUrl: url,
      mqtt: { url: gateway.url, username: account.id, password: account.secret },
      cron: false,
      batchSize: 200,
      bufferLimit: 500,
    });
  }, 180_000);

  afterAll(async () => {
    await ingest?.close();
    await gateway?.close();
    await authDb?.drop();
    await ingestDb?.end();
    if (paths) await stopCluster(silentLogger(), paths);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('keeps every message: buffers, stops reading when full, and writes it all once the database is back', async () => {
    const { messages, expected } = makeStream(fleet, 3000, 0);
    const publishing = publishAll(gateway.url, simulator, messages, 50);
    await waitFor('first rows stored', async () => (await countRows(ingestDb, fleet.facility)).vitals > 100, 30_000);
    await stopCluster(silentLogger(), paths);
    await waitFor('outage noticed', () => !ingest.ready().database, 30_000);
    await publishing; // the gateway holds what ingest does not take
    await waitFor('buffer full, reading paused', () => ingest.stats().paused, 30_000);
    await startCluster(silentLogger(), paths);

    const complete = async () => JSON.stringify(await countRows(ingestDb, fleet.facility)) === JSON.stringify(expected);
    await waitFor('every message stored', complete, 60_000).catch(() => {});
    expect(await countRows(ingestDb, fleet.facility)).toEqual(expected);
    expect(ingest.ready()).toEqual({ database: true, broker: true });
    const metrics = await ingest.metrics.getSingleMetricAsString('vigil_ingest_write_errors_total');
    expect(metrics).toMatch(/cause="connection"} [1-9]/);
  }, 150_000);
});
