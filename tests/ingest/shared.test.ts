import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type IngestHandle } from '@vigil/ingest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/processes.js';
import { Mosquitto } from '../gateway/mosquitto.js';
import { countRows, createFleet, makeStream, publishAll, type Fleet } from './stream-fixture.js';

/**
 * Two ingest workers in one shared-subscription group (`shareGroup`, VIGIL_INGEST_SHARE_GROUP) on an upstream
 * Mosquitto: the broker splits the stream between them [MQTT-4.8.2], so each message is received by one worker
 * only, and together they store it all (docs/ingest.md "Subscription and acknowledgement").
 */
describe('ingest workers splitting the stream with a shared subscription', () => {
  let db: TestDatabase;
  let broker: Mosquitto;
  let fleet: Fleet;
  const workers: IngestHandle[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    broker = await Mosquitto.create();
    await broker.start();
    fleet = await createFleet(db.pool, 'f-share', 8);
    for (const name of ['ingest-a', 'ingest-b']) {
      workers.push(
        await start({
          databaseUrl: db.url,
          mqtt: { url: broker.url, username: name, password: 'anonymous upstream', clientId: name },
          shareGroup: 'ingest',
          cron: false,
          batchSize: 50,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await broker?.destroy();
    await db?.drop();
  });

  it('gives each message to one worker of the group, and together they store every one', async () => {
    const { messages, expected } = makeStream(fleet, 400, 0);
    await publishAll(broker.url, { username: 'sim', password: 'anonymous upstream' }, messages);
    const received = () => workers.map((w) => w.stats().received);
    await waitFor(
      'every message committed',
      () =>
        workers.every((w) => w.stats().committed === w.stats().received) &&
        received().reduce((a, b) => a + b) >= messages.length,
      60_000,
    );
    expect(received().reduce((a, b) => a + b)).toBe(messages.length);
    for (const count of received()) expect(count).toBeGreaterThan(0);
    expect(await countRows(db.pool, fleet.facility)).toEqual(expected);
  });
});
