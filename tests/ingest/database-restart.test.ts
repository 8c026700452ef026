import { upsertServiceAccount } from '@vigil/store';
import { start, type IngestHandle } from '@vigil/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { startOwnCluster, type OwnCluster } from '../helpers/own-cluster.js';
import { waitFor } from '../helpers/processes.js';
import { countRows, createFleet, makeStream, publishAll, type Fleet } from './stream-fixture.js';

// The shared cluster on 55432 must never be restarted: this file starts a throwaway cluster of its own for
// ingest, while the gateway keeps authenticating against the shared test database.
describe('PostgreSQL restarted mid-stream', () => {
  let cluster: OwnCluster;
  let authDb: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let ingest: IngestHandle;
  let fleet: Fleet;
  let simulator: { username: string; password: string };

  beforeAll(async () => {
    cluster = await startOwnCluster('vigil-ingest-pg-');
    const { url } = cluster;
    fleet = await createFleet(cluster.pool, 'f-pg', 16);

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
    await cluster?.close();
  });

  it('keeps every message: buffers, stops reading when full, and writes it all once the database is back', async () => {
    const { messages, expected } = makeStream(fleet, 3000, 0);
    const publishing = publishAll(gateway.url, simulator, messages, 50);
    await waitFor(
      'first rows stored',
      async () => (await countRows(cluster.pool, fleet.facility)).vitals > 100,
      30_000,
    );
    await cluster.stop();
    await waitFor('outage noticed', () => !ingest.ready().database, 30_000);
    await publishing; // the gateway holds what ingest does not take
    await waitFor('buffer full, reading paused', () => ingest.stats().paused, 30_000);
    await cluster.start();

    const complete = async () =>
      JSON.stringify(await countRows(cluster.pool, fleet.facility)) === JSON.stringify(expected);
    await waitFor('every message stored', complete, 60_000).catch(() => {});
    expect(await countRows(cluster.pool, fleet.facility)).toEqual(expected);
    expect(ingest.ready()).toEqual({ database: true, broker: true });
    const metrics = await ingest.metrics.getSingleMetricAsString('vigil_ingest_write_errors_total');
    expect(metrics).toMatch(/cause="connection"} [1-9]/);
  }, 150_000);
});
