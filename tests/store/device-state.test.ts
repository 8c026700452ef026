import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, silentLogger, type Clock, type Pool } from '@vigil/core';
import { createGatewayMetrics } from '../../gateway/src/metrics.js';
import { StatusWriter } from '../../gateway/src/status/status-writer.js';
import { DeviceDirectory } from '../../ingest/src/devices.js';
import { createIngestMetrics } from '../../ingest/src/metrics.js';
import { IngestPipeline } from '../../ingest/src/pipeline.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/processes.js';
import { createFleet, type Fleet } from '../ingest/stream-fixture.js';

/**
 * devices.online has one writer, ordered by time: the gateway (connect / disconnect) and ingest (what the device
 * sent, at the device's time) race through the real database, and the newest state wins whoever commits last.
 */
describe('device state: a late ingest batch never overrides a newer disconnect', () => {
  let db: TestDatabase;
  let fleet: Fleet;
  let pool: Pool;
  let now = Date.parse('2026-11-23T10:00:00Z');
  const clock: Clock = { now: () => now };
  let pipeline: IngestPipeline;
  let status: StatusWriter;

  beforeAll(async () => {
    db = await createTestDatabase();
    fleet = await createFleet(db.pool, 'f-state', 2);
    pool = createPool(db.url, silentLogger(), { max: 4 });
    pipeline = new IngestPipeline({
      pool,
      devices: new DeviceDirectory(pool, clock),
      clock,
      log: silentLogger(),
      metrics: createIngestMetrics(new Registry()),
      batchSize: 50,
      flushMs: 5,
      bufferLimit: 200,
      writeMethod: 'unnest',
    });
    status = new StatusWriter(pool, { log: silentLogger(), metrics: createGatewayMetrics(new Registry()), clock });
  });
  afterAll(async () => {
    await pipeline?.close(1_000);
    await status?.close();
    await pool?.end();
    await db?.drop();
  });

  const band = () => fleet.devices.find((d) => d.kind === 'wristband')!;
  const state = async (id: string) =>
    (
      await db.pool.query<{ online: boolean | null; last_seen_at: Date | null }>(
        'SELECT online, last_seen_at FROM devices WHERE id = $1',
        [id],
      )
    ).rows[0]!;
  const reading = (seq: number, ts: number) => ({
    topic: `vigil/v1/${fleet.facility}/${band().id}/reading`,
    payload: Buffer.from(JSON.stringify({ seq, ts, hr: 70 })),
  });
  /** Offers one message to ingest; resolves when its batch has committed (its PUBACK would be sent). */
  const ingest = (message: { topic: string; payload: Buffer }) =>
    new Promise<void>((resolve) => pipeline.offer({ ...message, ack: resolve }, () => {}));
  /** Records a connection event at the gateway and waits until it is written. */
  async function gateway(source: 'connect' | 'disconnect'): Promise<void> {
    status.record(band().id, fleet.facility, source);
    await waitFor(`${source} stored`, async () => {
      const { rows } = await db.pool.query('SELECT 1 FROM device_status WHERE device_id = $1 AND time = $2', [
        band().id,
        new Date(now),
      ]);
      return rows.length > 0;
    });
  }

  it('a batch slowed inside the database commits after the disconnect: the device stays offline', async () => {
    await gateway('connect');
    expect((await state(band().id)).online).toBe(true);
    now += 10_000;
    // Every vitals insert now takes a second: the batch's statement is in flight while the gateway records
    // the disconnect and commits; the batch's UPDATE of the device then sees the newer state.
    await db.pool.query(`
      CREATE FUNCTION slow_vitals() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$;
      CREATE TRIGGER slow_vitals BEFORE INSERT ON vitals FOR EACH STATEMENT EXECUTE FUNCTION slow_vitals();`);
    const taken = now - 2_000;
    const committed = ingest(reading(1, taken)); // received before the disconnect
    await waitFor('batch in the database', async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'`);
      return rows.length > 0;
    });
    now += 1_000;
    await gateway('disconnect');
    await committed;
    await db.pool.query('DROP TRIGGER slow_vitals ON vitals');
    const after = await state(band().id);
    expect(after.online).toBe(false);
    expect(after.last_seen_at!.getTime()).toBe(now); // last seen still moves forward (the disconnect)
    const stored = await db.pool.query('SELECT count(*)::int AS n FROM vitals WHERE device_id = $1', [band().id]);
    expect(stored.rows[0].n).toBe(1); // the reading itself is kept
  });

  it('a batch buffered while the device disconnected commits later: still offline; a newer reading revives it', async () => {
    now += 10_000;
    await gateway('connect');
    now += 5_000;
    const buffered = reading(2, now - 1_000);
    now += 1_000;
    await gateway('disconnect');
    now += 3_000; // ingest receives (and writes) the earlier reading only now
    await ingest(buffered);
    expect((await state(band().id)).online).toBe(false);

    await ingest(reading(3, now)); // taken after the disconnect: the device is back
    expect((await state(band().id)).online).toBe(true);
  });
});
