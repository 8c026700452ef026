import { createPool, silentLogger, systemClock, type Pool } from '@vigil/core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/helpers/database.js';
import { waitFor } from '../../tests/helpers/processes.js';
import {
  countRows,
  createFleet,
  makeStream,
  type Fleet,
  type StreamMessage,
} from '../../tests/ingest/stream-fixture.js';
import { startProxy, withPort } from '../../tests/ingest/tcp-proxy.js';
import { DeviceDirectory } from './devices.js';
import { createIngestMetrics } from './metrics.js';
import { IngestPipeline } from './pipeline.js';

/** Feeds messages the way mqtt.js does: the next one only once `next` has been called for the previous. */
function feed(pipeline: IngestPipeline, messages: StreamMessage[], acked: number[], base = 0) {
  let i = 0;
  const fed = { count: 0 };
  const step = () => {
    if (i >= messages.length) return;
    const n = base + i;
    const m = messages[i++]!;
    fed.count++;
    pipeline.offer({ topic: m.topic, payload: Buffer.from(m.payload), ack: () => acked.push(n) }, () =>
      setImmediate(step),
    );
  };
  step();
  return fed;
}

describe('IngestPipeline (real database behind a TCP proxy)', () => {
  let db: TestDatabase;
  let fleet: Fleet;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let pool: Pool;
  let pipeline: IngestPipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    fleet = await createFleet(db.pool, 'f-pipe', 8);
    proxy = await startProxy(Number(new URL(db.url).port));
    pool = createPool(withPort(db.url, proxy.port), silentLogger(), { max: 2, connectionTimeoutMillis: 1000 });
    pipeline = new IngestPipeline({
      pool,
      devices: new DeviceDirectory(pool, systemClock),
      clock: systemClock,
      log: silentLogger(),
      metrics: createIngestMetrics(new Registry()),
      batchSize: 50,
      flushMs: 20,
      bufferLimit: 200,
      writeMethod: 'copy',
    });
  });

  afterAll(async () => {
    await pipeline?.close(1000);
    await pool?.end();
    await proxy?.close();
    await db?.drop();
  });

  it('acknowledges only committed messages, stops taking more when full, and resumes exactly once', async () => {
    const now = Date.now();
    const { messages, expected } = makeStream(fleet, 500, 0, now);
    const acked: number[] = [];

    feed(pipeline, messages.slice(0, 100), acked);
    await waitFor('first 100 acknowledged', () => acked.length === 100);

    await proxy.cut();
    const fed = feed(pipeline, messages.slice(100), acked, 100);
    await waitFor('buffer full', () => pipeline.stats().paused);
    await waitFor('outage noticed', () => !pipeline.stats().databaseUp);
    // Reading stopped at the bound: nothing beyond 200 buffered, nothing acknowledged during the outage.
    expect(fed.count).toBe(200);
    expect(pipeline.stats().buffered).toBe(200);
    expect(acked.length).toBe(100);

    await proxy.restore();
    await waitFor('every message acknowledged', () => acked.length === 500, 20_000);
    // Each exactly once and in arrival order, although batches were in flight when the connection dropped.
    expect(acked).toEqual([...Array(500).keys()]);
    expect(pipeline.stats()).toMatchObject({ databaseUp: true, paused: false, buffered: 0, committed: 500 });
    expect(await countRows(db.pool, fleet.facility)).toEqual(expected);
  });

  it('isolates a message the database rejects: dead-lettered, the rest of its batch stored', async () => {
    // A trigger stands in for any row the database refuses (a constraint the contract does not know).
    await db.pool.query(`
      CREATE FUNCTION refuse_hr_123() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.hr = 123 THEN RAISE EXCEPTION 'hr 123 refused'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_hr_123 BEFORE INSERT ON vitals FOR EACH ROW EXECUTE FUNCTION refuse_hr_123();`);
    const band = fleet.devices.find((d) => d.kind === 'wristband')!;
    const now = Date.now();
    const messages = Array.from({ length: 40 }, (_, i) => ({
      topic: `vigil/v1/${fleet.facility}/${band.id}/reading`,
      payload: JSON.stringify({ seq: 10_000 + i, ts: now - i, hr: i === 17 ? 123 : 70 }),
    }));
    const acked: number[] = [];
    feed(pipeline, messages, acked);
    await waitFor('all acknowledged', () => acked.length === 40);
    expect(acked).toEqual([...Array(40).keys()]);
    const { rows } = await db.pool.query(
      `SELECT (SELECT count(*) FROM vitals WHERE seq >= 10000)::int AS stored,
              (SELECT string_agg(reason, '|') FROM dead_letters WHERE reason LIKE 'rejected by the database%') AS reasons`,
    );
    expect(rows[0]).toEqual({ stored: 39, reasons: 'rejected by the database (P0001): hr 123 refused' });
  });

  it.each(['unnest', 'copy'] as const)(
    'stores replayed copies once and acknowledges in order, batches in flight (%s)',
    async (writeMethod) => {
      const direct = createPool(db.url, silentLogger(), { max: 2 });
      const dupFleet = await createFleet(db.pool, `f-dup-${writeMethod}`, 6);
      const registry = new Registry();
      const writer = new IngestPipeline({
        pool: direct,
        devices: new DeviceDirectory(direct, systemClock),
        clock: systemClock,
        log: silentLogger(),
        metrics: createIngestMetrics(registry),
        batchSize: 40,
        flushMs: 20,
        bufferLimit: 1000,
        writeMethod,
      });
      try {
        const { messages, expected } = makeStream(dupFleet, 300, 0);
        // Every message twice: a later replay of the whole stream, and redeliveries inside the same batch.
        const stream = [...messages.flatMap((m, i) => (i % 7 ? [m] : [m, m])), ...messages.slice().reverse()];
        const acked: number[] = [];
        feed(writer, stream, acked);
        await waitFor('all acknowledged', () => acked.length === stream.length);
        expect(acked).toEqual([...Array(stream.length).keys()]);
        expect(await countRows(db.pool, dupFleet.facility)).toEqual(expected);
        const stored = expected.vitals + expected.environment + expected.device_events + expected.device_status;
        expect(writer.stats()).toMatchObject({ rowsInserted: stored, committed: stream.length, deadLetters: 0 });
        const counted = (await registry.getSingleMetric('vigil_ingest_messages_total')!.get()).values;
        expect(counted.reduce((sum, v) => sum + (v.labels.outcome === 'stored' ? v.value : 0), 0)).toBe(stream.length);
      } finally {
        await writer.close(1000);
        await direct.end();
      }
    },
  );
});
