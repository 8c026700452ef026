// `npm run bench -- coverage`: the coverage audit of one facility over 30 days (goal p95 ≤ 2 s) in a region of
// 50 facilities × 200 devices with 1-minute data (issue 14), and the chunks its time-series reads touch. Scale
// with BENCH_COVERAGE_FACILITIES, _DEVICES, _DAYS, _AUDITS (the full size is 432 million readings: hours to
// load on a small machine). Its own database (bench/lib-database.ts), dropped at the end.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { addFacility, auditQueryPlans, coverageAudit } from '@vigil/store';
import { createBenchDatabase } from './lib-database.js';
import type { BenchResult } from './report.js';

const DAY_MS = 86_400_000;
const env = (name: string, fallback: number) => Number(process.env[`BENCH_COVERAGE_${name}`] ?? fallback);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** Half the devices are wristbands (vitals), half smoke sensors (environment), each reporting every minute. */
async function load(pool: pg.Pool, facility: string, devices: number, from: Date, to: Date): Promise<void> {
  await addFacility(pool, { id: facility, name: facility, region: 'bench', timezone: 'Asia/Shanghai' });
  const half = Math.floor(devices / 2);
  await pool.query(
    `WITH n AS (SELECT generate_series(1, $2::int) AS i)
     , l AS (INSERT INTO locations (facility_id, id, kind) SELECT $1, 'room-' || i, 'room' FROM n)
     , r AS (INSERT INTO residents (facility_id, id, care_level, fall_risk) SELECT $1, 'r-' || i, 'self-care', 'high' FROM n)
     SELECT 1`,
    [facility, half],
  );
  await pool.query(
    `INSERT INTO devices (id, facility_id, kind, location_id, resident_id, secret_hash, expected_interval_s, created_at)
     SELECT $1 || '-wb-' || i, $1, 'wristband', NULL, 'r-' || i, 'x', 60, $3::timestamptz FROM generate_series(1, $2::int) i
     UNION ALL
     SELECT $1 || '-sm-' || i, $1, 'smoke', 'room-' || i, NULL, 'x', 60, $3::timestamptz FROM generate_series(1, $2::int) i`,
    [facility, half, from],
  );
  // One day at a time (one chunk per statement); device i is silent for an hour on day i mod days.
  for (let day = +from; day < +to; day += DAY_MS) {
    const range = [facility, half, new Date(day), new Date(day + DAY_MS), Math.round((day - +from) / DAY_MS)];
    const silent = `NOT (i % ${Math.round((+to - +from) / DAY_MS)} = $5 AND t >= $3::timestamptz + interval '2 hours' AND t < $3::timestamptz + interval '3 hours')`;
    const tables = [
      ['vitals', 'resident_id, hr', `'-wb-'`, `'r-' || i, 70`, 0.8],
      ['environment', 'location_id, smoke', `'-sm-'`, `'room-' || i, 0`, 0.9],
    ] as const;
    for (const [table, columns, prefix, values, battery] of tables) {
      await pool.query(
        `INSERT INTO ${table} (time, device_id, seq, facility_id, ${columns}, battery)
         SELECT t, $1 || ${prefix} || i, 1, $1, ${values}, ${battery}
         FROM generate_series(1, $2::int) i,
              generate_series($3::timestamptz, $4::timestamptz - interval '1 minute', interval '1 minute') t
         WHERE ${silent}`,
        range,
      );
    }
  }
}

export default async function run(): Promise<BenchResult> {
  const [facilities, devices, days, audits] = [
    env('FACILITIES', 50),
    env('DEVICES', 200),
    env('DAYS', 30),
    env('AUDITS', 20),
  ];
  const db = await createBenchDatabase('coverage');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  try {
    const to = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const from = new Date(+to - days * DAY_MS);
    const loadStart = performance.now();
    for (let f = 0; f < facilities; f++) await load(pool, `f${f}`, devices, from, to);
    await pool.query('ANALYZE');
    const loadS = (performance.now() - loadStart) / 1000;

    const times: number[] = [];
    for (let a = 0; a < audits; a++) {
      const started = performance.now();
      await coverageAudit(pool, { facility: `f${a % facilities}`, from, to });
      times.push(performance.now() - started);
    }
    const chunks = (await pool.query(`SELECT show_chunks('vitals')::text AS c`)).rows.map((r) =>
      r.c.replace(/^.*\./, ''),
    );
    const month = await auditQueryPlans(pool, 'f0', from, to);
    const oneDay = await auditQueryPlans(pool, 'f0', new Date(+to - DAY_MS), to);
    const vitalsChunks = (plans: typeof month) =>
      plans.find((p) => p.statement === 'data-gaps')!.chunks.filter((c) => chunks.includes(c)).length;
    return {
      name: 'coverage',
      rows: [
        { metric: `facility audit over ${days} days p50`, value: percentile(times, 50) / 1000, unit: 's' },
        { metric: `facility audit over ${days} days p95`, value: percentile(times, 95) / 1000, unit: 's', goal: '≤ 2' },
        {
          metric: 'vitals chunks read by a 1-day audit',
          value: vitalsChunks(oneDay),
          unit: 'chunks',
          ceiling: chunks.length,
        },
        {
          metric: `vitals chunks read by a ${days}-day audit`,
          value: vitalsChunks(month),
          unit: 'chunks',
          ceiling: chunks.length,
        },
      ],
      notes: [
        `${facilities} facilities × ${devices} devices × ${days} days of 1-minute data, loaded in ${loadS.toFixed(0)} s`,
        `${audits} audits; chunk counts from the data-gaps statement's plan (auditQueryPlans)`,
      ],
    };
  } finally {
    await pool.end();
    await db.drop();
  }
}
