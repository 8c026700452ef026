import { upsertServiceAccount } from '@vigil/store';
import { start, type IngestHandle } from '@vigil/ingest';
import { deviceTopic } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { mosquittoPub, waitFor } from '../helpers/processes.js';
import { countRows, createFleet, makeStream, publishAll, type Fleet } from './stream-fixture.js';

describe('ingest: a mixed stream through the real gateway', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let ingest: IngestHandle;
  let fleet: Fleet;
  let simulator: { username: string; password: string };
  // Both the stream and its replay are built from the same clock reading: same ts, same seq.
  const now = Date.now();

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db.url);
    const account = await upsertServiceAccount(db.pool, 'svc-ingest', 'ingest');
    const sim = await upsertServiceAccount(db.pool, 'sim-stream', 'simulator');
    simulator = { username: sim.id, password: sim.secret };
    fleet = await createFleet(db.pool, 'f-stream', 40);
    ingest = await start({
      databaseUrl: db.url,
      mqtt: { url: gateway.url, username: account.id, password: account.secret },
      cron: false,
      batchSize: 500,
    });
  });

  afterAll(async () => {
    await ingest?.close();
    await gateway?.close();
    await db?.drop();
  });

  it('stores 10 000 good messages exactly and dead-letters the 100 bad ones', async () => {
    const { messages, expected } = makeStream(fleet, 10_000, 100, now);
    await publishAll(gateway.url, simulator, messages);
    await waitFor('every message committed', () => ingest.stats().committed >= messages.length, 100_000);
    expect(ingest.stats().committed).toBe(messages.length);
    expect(await countRows(db.pool, fleet.facility)).toEqual(expected);

    const { rows: reasons } = await db.pool.query<{ reason: string; device_id: string | null }>(
      'SELECT reason, device_id FROM dead_letters ORDER BY reason',
    );
    const text = reasons.map((r) => r.reason).join('\n');
    for (const fragment of [
      'not valid JSON',
      'hr: must be ≤ 300',
      'heartRate',
      'must be one of alarm, clear, test, fault, tamper for a smoke',
      'unknown device f-stream-ghost',
      'more than 7 days old',
      'registered to facility f-stream, not f-stream-elsewhere',
      'is retired',
      'samples.1.hr',
      'battery',
    ]) {
      expect(text).toContain(fragment);
    }
    expect(reasons.every((r) => r.device_id !== null)).toBe(true);
    // Device state follows the stream in batches: every device was seen, and statuses carried the battery.
    const { rows: state } = await db.pool.query(
      `SELECT count(*)::int AS seen, count(battery)::int AS battery FROM devices
       WHERE facility_id = $1 AND retired_at IS NULL AND last_seen_at IS NOT NULL AND online`,
      [fleet.facility],
    );
    expect(state[0]).toEqual({ seen: fleet.devices.length, battery: fleet.devices.length });
  }, 120_000);

  it('stores replayed and out-of-order duplicates once', async () => {
    const before = await countRows(db.pool, fleet.facility);
    const duplicatesBefore = ingest.stats().rowsDuplicate;
    const committedBefore = ingest.stats().committed;
    const { good } = makeStream(fleet, 10_000, 0, now);
    // The same messages as the first test (same seq and ts), replayed backwards and then a second time.
    const replay = [...good.slice(2000, 3000)].reverse();
    await publishAll(gateway.url, simulator, [...replay, ...replay]);
    await waitFor('replay committed', () => ingest.stats().committed >= committedBefore + 2 * replay.length, 30_000);
    expect(await countRows(db.pool, fleet.facility)).toEqual(before);
    expect(ingest.stats().rowsDuplicate).toBeGreaterThan(duplicatesBefore + 2 * replay.length - 1);
  }, 60_000);

  it('takes a message from a third-party client (mosquitto_pub), as PROTOCOL.md shows', async () => {
    const device = fleet.devices.find((d) => d.kind === 'wristband')!;
    const ts = new Date(Date.now() - 1000).toISOString();
    await mosquittoPub({
      port: gateway.port,
      id: device.id,
      secret: device.secret,
      topic: deviceTopic(fleet.facility, device.id, 'event'),
      message: JSON.stringify({ seq: 999_999, ts, type: 'fall', confidence: 0.93 }),
    });
    const row = await waitFor('the fall event stored', async () => {
      const { rows } = await db.pool.query('SELECT type, confidence FROM device_events WHERE seq = 999999');
      return rows[0];
    });
    expect(row.type).toBe('fall');
    expect(row.confidence).toBeCloseTo(0.93);
  });
});
