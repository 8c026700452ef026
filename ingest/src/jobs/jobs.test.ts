import { silentLogger, type Clock } from '@vigil/core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/database.js';
import { buildRows } from '../rows.js';
import { prepareMessage } from '../prepare.js';
import { writeBatch } from '@vigil/store';
import { createIngestMetrics } from '../metrics.js';
import { createJobs, type Jobs } from './scheduler.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('scheduled jobs on fabricated history', () => {
  let db: TestDatabase;
  let jobs: Jobs;
  const now = Math.floor(Date.now() / HOUR) * HOUR + 30 * 60_000;
  const clock: Clock = { now: () => now };
  const h = (n: number) => now - 30 * 60_000 - n * HOUR; // start of the hour n hours before the current one

  beforeAll(async () => {
    db = await createTestDatabase();
    jobs = createJobs({
      pool: db.pool,
      clock,
      log: silentLogger(),
      metrics: createIngestMetrics(new Registry()),
      retentionDays: 180,
      cron: false,
      rollupCron: '* * * * *',
      retentionCron: '* * * * *',
    });
    // Three complete hours of a wristband: 6 readings an hour, hr = 60 + minute / 10.
    await db.pool.query(
      `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr, spo2)
       SELECT t, 'wb-1', extract(epoch FROM t)::bigint, 'f1', 'r1', 60 + extract(minute FROM t) / 10, 97
       FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 second', interval '10 minutes') t`,
      [new Date(h(3)), new Date(h(0))],
    );
    await db.pool.query(
      `INSERT INTO device_events (time, device_id, seq, facility_id, type)
       VALUES ($1, 'wb-1', 1, 'f1', 'fall'), ($2, 'wb-1', 2, 'f1', 'fall'), ($2, 'wb-1', 3, 'f1', 'sos')`,
      [new Date(h(2) + 60_000), new Date(h(1) + 60_000)],
    );
  });

  afterAll(async () => {
    await jobs?.stop();
    await db?.drop();
  });

  const hourly = async () =>
    (
      await db.pool.query(
        `SELECT bucket, samples, hr_count, hr_min, hr_max, hr_sum FROM vitals_hourly WHERE device_id = 'wb-1' ORDER BY bucket`,
      )
    ).rows;

  it('rolls up completed hours into min/avg/max per device and resident, and counts events', async () => {
    const result = await jobs.run('rollups');
    expect(result).toMatchObject({ skipped: false, hours: 3, recomputed: 0, doneUntil: new Date(h(0)) });
    const rows = await hourly();
    expect(rows.map((r) => r.bucket.getTime())).toEqual([h(3), h(2), h(1)]);
    for (const row of rows) expect(row).toMatchObject({ samples: 6, hr_count: 6, hr_min: 60, hr_max: 65, hr_sum: 375 });
    const { rows: events } = await db.pool.query(
      'SELECT bucket, type, events FROM device_events_hourly ORDER BY bucket, type',
    );
    expect(events).toEqual([
      { bucket: new Date(h(2)), type: 'fall', events: 1 },
      { bucket: new Date(h(1)), type: 'fall', events: 1 },
      { bucket: new Date(h(1)), type: 'sos', events: 1 },
    ]);
    // Idempotent: a second run neither repeats nor changes anything.
    expect(await jobs.run('rollups')).toMatchObject({ hours: 0, recomputed: 0 });
    expect(await hourly()).toEqual(rows);
  });

  it('recomputes an hour that received late rows through the writer', async () => {
    const device = {
      id: 'wb-1',
      facility: 'f1',
      kind: 'wristband' as const,
      resident: 'r1',
      location: null,
      retired: false,
    };
    const late = prepareMessage(
      'vigil/v1/f1/wb-1/reading',
      Buffer.from(JSON.stringify({ seq: 1, ts: h(2) + 5 * 60_000, hr: 90 })),
      now,
      device,
    );
    await writeBatch(db.pool, 'copy', buildRows([late], now));
    expect(await jobs.run('rollups')).toMatchObject({ hours: 0, recomputed: 1 });
    const rows = await hourly();
    expect(rows[1]).toMatchObject({ samples: 7, hr_max: 90 });
    expect(rows[0]).toMatchObject({ samples: 6 });
  });

  it('drops raw chunks past retention with drop_chunks, keeping newer chunks, rollups and alerts', async () => {
    const old = new Date(now - 200 * DAY);
    const recent = new Date(now - 100 * DAY);
    for (const time of [old, recent]) {
      await db.pool.query(
        `INSERT INTO vitals (time, device_id, seq, facility_id, hr) VALUES ($1, 'wb-old', 1, 'f1', 70)`,
        [time],
      );
      await db.pool.query(
        `INSERT INTO environment (time, device_id, seq, facility_id, temp) VALUES ($1, 'sm-old', 1, 'f1', 20)`,
        [time],
      );
      await db.pool.query(
        `INSERT INTO dead_letters (time, topic, reason, payload, payload_size) VALUES ($1, 't', 'r', '\\x00', 1)`,
        [time],
      );
    }
    await db.pool.query(`INSERT INTO facilities (id, name, region, timezone) VALUES ('f1', 'F1', 'r', 'UTC')`);
    await db.pool.query(
      `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, detail, raised_at, occurred_at, last_seen_at)
       VALUES (gen_random_uuid(), 'f1', 'fall', 'critical', 'resolved', 'r1', 'old', $1, $1, $1)`,
      [new Date(now - 400 * DAY)],
    );
    const chunks = async (table: string) =>
      (await db.pool.query('SELECT count(*)::int AS n FROM show_chunks($1::regclass)', [table])).rows[0].n;
    const before = { vitals: await chunks('vitals'), environment: await chunks('environment') };

    const result = await jobs.run('retention');
    expect(result.dropped).toMatchObject({ vitals: 1, environment: 1, dead_letters: 1 });
    expect(await chunks('vitals')).toBe(before.vitals - 1);
    expect(await chunks('environment')).toBe(before.environment - 1);
    const { rows } = await db.pool.query(
      `SELECT (SELECT count(*) FROM vitals WHERE device_id = 'wb-old')::int AS vitals,
              (SELECT count(*) FROM environment)::int AS environment,
              (SELECT count(*) FROM dead_letters)::int AS dead_letters,
              (SELECT count(*) FROM alerts)::int AS alerts,
              (SELECT count(*) FROM vitals_hourly)::int AS rollups`,
    );
    expect(rows[0]).toEqual({ vitals: 1, environment: 1, dead_letters: 1, alerts: 1, rollups: 3 });
  });
});
