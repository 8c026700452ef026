import { addDevice, addFacility, addResident, retireDevice } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/database.js';
import { runRollups } from './rollups.js';
import { dataGaps } from './data-gaps.js';
import { vitalsHistory } from './vitals-history.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('query module', () => {
  let db: TestDatabase;
  const now = Math.floor(Date.now() / HOUR) * HOUR + 20 * MIN;
  // hr of the reading at minute m of the fabricated history: varies within every hour.
  const hrAt = (t: number) => 60 + ((t / MIN) % 60) / 10;

  beforeAll(async () => {
    db = await createTestDatabase();
    await addFacility(db.pool, { id: 'fq', name: 'Q', region: 'rq', timezone: 'UTC' });
    await addResident(db.pool, { facility: 'fq', id: 'rq', careLevel: 'semi-dependent' });
    // Four days of a wristband reading every 10 minutes.
    await db.pool.query(
      `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr)
       SELECT t, 'wb-q', 1, 'fq', 'rq', 60 + (extract(epoch FROM t)::bigint / 60 % 60) / 10.0
       FROM generate_series($1::timestamptz, $2::timestamptz, interval '10 minutes') t`,
      [new Date(now - 4 * DAY), new Date(now)],
    );
    await runRollups(db.pool, { now: () => now });
  });

  afterAll(() => db?.drop());

  /** The expected bucket, computed in JS from the same formula the data was made with. */
  function expectedBuckets(from: number, to: number, bucketMs: number) {
    const buckets = new Map<number, number[]>();
    for (let t = now - 4 * DAY; t < to; t += 10 * MIN) {
      if (t < from) continue;
      const b = Math.floor(t / bucketMs) * bucketMs;
      buckets.set(b, [...(buckets.get(b) ?? []), hrAt(t)]);
    }
    return [...buckets].map(([time, hrs]) => ({
      time: new Date(time),
      samples: hrs.length,
      hr: {
        count: hrs.length,
        min: Math.min(...hrs),
        max: Math.max(...hrs),
        avg: hrs.reduce((a, b) => a + b) / hrs.length,
      },
    }));
  }

  const comparable = (buckets: Awaited<ReturnType<typeof vitalsHistory>>['buckets']) =>
    buckets.map((b) => ({
      time: b.time,
      samples: b.samples,
      hr: b.hr && { ...b.hr, avg: Number(b.hr.avg.toFixed(6)) },
    }));
  const rounded = (buckets: ReturnType<typeof expectedBuckets>) =>
    buckets.map((b) => ({ ...b, hr: { ...b.hr, avg: Number(b.hr.avg.toFixed(6)) } }));

  it('answers short ranges from raw readings with time_bucket at any resolution', async () => {
    const from = now - 3 * HOUR - 7 * MIN;
    const history = await vitalsHistory(db.pool, { facility: 'fq', resident: 'rq', from, to: now, bucket: '15m' });
    expect(history.source).toBe('raw');
    expect(history.buckets[0]!.spo2).toBeNull();
    expect(comparable(history.buckets)).toEqual(rounded(expectedBuckets(from, now, 15 * MIN)));
  });

  it('answers long ranges from the hourly rollups, raw only at the edges, with the same numbers', async () => {
    const from = now - 3 * DAY - 25 * MIN;
    for (const bucket of ['1h', '6h', '1d'] as const) {
      const bucketMs = { '1h': HOUR, '6h': 6 * HOUR, '1d': DAY }[bucket];
      const history = await vitalsHistory(db.pool, { facility: 'fq', device: 'wb-q', from, to: now, bucket });
      expect(history.source).toBe('mixed');
      expect(comparable(history.buckets)).toEqual(rounded(expectedBuckets(from, now, bucketMs)));
    }
  });

  it('refuses queries that are ambiguous or too fine for their range', async () => {
    const range = { facility: 'fq', from: now - DAY, to: now };
    await expect(vitalsHistory(db.pool, { ...range, bucket: '1m' } as never)).rejects.toThrow(/exactly one/);
    await expect(vitalsHistory(db.pool, { ...range, device: 'wb-q', bucket: '1s' })).rejects.toMatchObject({
      code: 'VIGIL_ERR_STORE_QUERY_INVALID',
    });
  });

  it('finds silent gaps longer than 3× the expected interval, per device, within its registered period', async () => {
    for (const id of ['gap-band', 'silent-band', 'gone-band']) {
      await addDevice(db.pool, { facility: 'fq', id, kind: 'wristband' });
    }
    await db.pool.query(`UPDATE devices SET created_at = $1 WHERE facility_id = 'fq'`, [new Date(now - 2 * HOUR)]);
    await retireDevice(db.pool, 'gone-band');
    await db.pool.query(`UPDATE devices SET retired_at = $1 WHERE id = 'gone-band'`, [new Date(now - HOUR)]);
    // gap-band (expected every 60 s): every minute, except a silence from now−60 min to now−30 min.
    await db.pool.query(
      `INSERT INTO environment (time, device_id, seq, facility_id) SELECT t, 'gap-band', 1, 'fq'
       FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') t
       WHERE t <= $3 OR t >= $4`,
      [new Date(now - 2 * HOUR), new Date(now), new Date(now - 60 * MIN), new Date(now - 30 * MIN)],
    );
    await db.pool.query(
      `INSERT INTO device_status (time, device_id, seq, facility_id, source, online)
       VALUES ($1, 'gone-band', 1, 'fq', 'status', true)`,
      [new Date(now - 90 * MIN)],
    );
    // Rows for hours the rollup job has passed, marked as ingest marks late rows (the audit reads those hours raw).
    await db.pool.query(
      `INSERT INTO ingest_rollup_dirty (bucket)
       SELECT generate_series(time_bucket('1 hour', $1::timestamptz), $2::timestamptz, interval '1 hour') ON CONFLICT DO NOTHING`,
      [new Date(now - 2 * HOUR), new Date(now)],
    );
    const coverage = await dataGaps(db.pool, { facility: 'fq', from: now - 2 * HOUR, to: now + HOUR, now });
    const byId = Object.fromEntries(coverage.map((c) => [c.device, c]));
    expect(Object.keys(byId).sort()).toEqual(['gap-band', 'gone-band', 'silent-band']);
    expect(byId['gap-band']!.gaps).toEqual([
      { from: new Date(now - 60 * MIN), to: new Date(now - 30 * MIN), seconds: 1800 },
    ]);
    expect(byId['gap-band']!.onlineShare).toBeCloseTo(1 - 1800 / 7200);
    expect(byId['silent-band']!.gaps).toEqual([{ from: new Date(now - 2 * HOUR), to: new Date(now), seconds: 7200 }]);
    expect(byId['silent-band']!.onlineShare).toBe(0);
    // Retired an hour ago: its period ends there; silent from its one status until retirement.
    expect(byId['gone-band']!.to).toEqual(new Date(now - HOUR));
    expect(byId['gone-band']!.gaps).toEqual([
      { from: new Date(now - 2 * HOUR), to: new Date(now - 90 * MIN), seconds: 1800 },
      { from: new Date(now - 90 * MIN), to: new Date(now - HOUR), seconds: 1800 },
    ]);
  });
});
