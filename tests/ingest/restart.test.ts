import { upsertServiceAccount } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { exited, spawnVigil, waitFor } from '../helpers/processes.js';
import { countRows, createFleet, makeStream, publishAll, type Fleet } from './stream-fixture.js';

describe('ingest killed mid-stream (kill -9) and restarted', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let fleet: Fleet;
  let env: NodeJS.ProcessEnv;
  let simulator: { username: string; password: string };
  const children: Array<ReturnType<typeof spawnVigil>> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db.url);
    fleet = await createFleet(db.pool, 'f-kill', 24);
    const account = await upsertServiceAccount(db.pool, 'svc-ingest-kill', 'ingest');
    const sim = await upsertServiceAccount(db.pool, 'sim-kill', 'simulator');
    simulator = { username: sim.id, password: sim.secret };
    env = {
      DATABASE_URL: db.url,
      VIGIL_MQTT_URL: gateway.url,
      VIGIL_INGEST_MQTT_USERNAME: account.id,
      VIGIL_INGEST_MQTT_PASSWORD: account.secret,
      VIGIL_INGEST_CRON: '0',
      VIGIL_INGEST_BATCH_SIZE: '200',
      VIGIL_LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await gateway?.close();
    await db?.drop();
  });

  async function startIngest() {
    const run = spawnVigil(['ingest'], env);
    children.push(run);
    await waitFor('ingest subscribed', () => run.output().includes('"ingest started"'), 60_000);
    return run;
  }

  it('stores every message exactly once across the kill', async () => {
    const { messages, expected } = makeStream(fleet, 3000, 0);
    const first = await startIngest();
    const publishing = publishAll(gateway.url, simulator, messages, 50);
    // Kill while rows are arriving: some batches committed, others buffered or in flight.
    await waitFor('first rows stored', async () => (await countRows(db.pool, fleet.facility)).vitals > 200, 30_000);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const storedAtKill = await countRows(db.pool, fleet.facility);
    await publishing;

    const second = await startIngest();
    const complete = async () => JSON.stringify(await countRows(db.pool, fleet.facility)) === JSON.stringify(expected);
    await waitFor('every message stored', complete, 60_000).catch(() => {});
    expect(storedAtKill.vitals).toBeLessThan(expected.vitals);
    // Never more than expected either: redeliveries of committed messages are absorbed by the unique index.
    expect(await countRows(db.pool, fleet.facility)).toEqual(expected);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(second.output()).toContain('"ingest stopped"');
  }, 150_000);
});
