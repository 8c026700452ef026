// `npm run bench -- coverage`: the coverage audit of one facility of 200 devices with 1-minute data over 30 days
// (goal p95 ≤ 2 s), the same audit from raw rows only, the region roll-up, ingest's hourly rollup job, and the chunks
// the audit's time-series reads plan and scan (EXPLAIN and EXPLAIN ANALYZE). Scale with BENCH_COVERAGE_FACILITIES
// (default 2), _DEVICES (200), _DAYS (30), _AUDITS (10); the region of 50 facilities is 432 million
// readings, hours to load on a small machine. Its own database (bench/lib-database.ts), dropped at the end.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  addFacility,
  auditQueryPlans,
  coverageAudit,
  regionCoverage,
  runRollups,
  type AuditQueryPlan,
} from '@vigil/store';
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

/** Scans of each kind of chunk in one plan: `vitals` and `environment` are the two tables the fleet fills. */
function chunkCounts(plan: AuditQueryPlan, owners: Map<string, string>, executed: boolean) {
  const counts: Record<string, number> = { vitals: 0, environment: 0 };
  for (const c of (executed ? plan.executed : plan.chunks) ?? []) {
    const table = owners.get(c);
    if (table && table in counts) counts[table]! += 1;
  }
  return counts;
}

export default async function run(): Promise<BenchResult> {
  const [facilities, devices, days, audits] = [
    env('FACILITIES', 2),
    env('DEVICES', 200),
    env('DAYS', 30),
    env('AUDITS', 10),
  ];
  const db = await createBenchDatabase('coverage');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  try {
    const to = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const from = new Date(+to - days * DAY_MS);
    const loadStart = performance.now();
    for (let f = 0; f < facilities; f++) await load(pool, `f${f}`, devices, from, to);
    const loadS = (performance.now() - loadStart) / 1000;
    // Ingest's hourly job, as it would have run over the month (an hour after the last one ended).
    const rollupStart = performance.now();
    const rolled = await runRollups(pool, { now: () => +to + 3_600_000 });
    const rollupS = (performance.now() - rollupStart) / 1000;
    await pool.query('ANALYZE');
    const readings = Number(
      (await pool.query('SELECT (SELECT count(*) FROM vitals) + (SELECT count(*) FROM environment) AS n')).rows[0].n,
    );

    const times: number[] = [];
    for (let a = 0; a < audits; a++) {
      const started = performance.now();
      await coverageAudit(pool, { facility: `f${a % facilities}`, from, to });
      times.push(performance.now() - started);
    }
    // The ceiling's opposite: the same audit from the raw rows alone (as before the rollup), once.
    const client = await pool.connect();
    let rawS: number;
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM ingest_rollup_state');
      const started = performance.now();
      await coverageAudit(client, { facility: 'f0', from, to });
      rawS = (performance.now() - started) / 1000;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    const regionStart = performance.now();
    const region = await regionCoverage(pool, { region: 'bench', from, to });
    const regionS = (performance.now() - regionStart) / 1000;

    const owners = new Map<string, string>();
    for (const table of ['vitals', 'environment']) {
      for (const r of (await pool.query('SELECT show_chunks($1::regclass)::text AS c', [table])).rows)
        owners.set(r.c.replace(/^.*\./, ''), table);
    }
    const chunksPerTable = days;
    const month = await auditQueryPlans(pool, 'f0', from, to);
    const monthRun = await auditQueryPlans(pool, 'f0', from, to, { analyze: true });
    const oneDay = await auditQueryPlans(pool, 'f0', new Date(+to - DAY_MS), to);
    // Off the hour: the partial first and last hours are read raw, from the first and last chunk only.
    const offHour = await auditQueryPlans(pool, 'f0', new Date(+from + 1_800_000), new Date(+to - 1_800_000), {
      analyze: true,
    });
    const gaps = (plans: AuditQueryPlan[]) => plans.find((p) => p.statement === 'data-gaps')!;
    const evidence = (label: string, plans: AuditQueryPlan[], executed: boolean) =>
      plans.map((p) => {
        const c = chunkCounts(p, owners, executed);
        return `${label} ${p.statement}: ${executed ? 'scanned' : 'planned'} ${c.vitals} vitals + ${c.environment} environment chunks of ${chunksPerTable} + ${chunksPerTable}`;
      });
    return {
      name: 'coverage',
      rows: [
        { metric: `facility audit over ${days} days p50`, value: percentile(times, 50) / 1000, unit: 's' },
        { metric: `facility audit over ${days} days p95`, value: percentile(times, 95) / 1000, unit: 's', goal: '≤ 2' },
        {
          metric: `facility audit over ${days} days, from the hourly rollup ÷ from raw rows only`,
          value: percentile(times, 50) / 1000,
          unit: 's',
          ceiling: rawS,
          ratio: percentile(times, 50) / 1000 / rawS,
        },
        { metric: `region roll-up (${facilities} facilities × ${days} days)`, value: regionS, unit: 's' },
        { metric: 'region roll-up per facility', value: regionS / facilities, unit: 's' },
        { metric: 'hourly rollup job over the loaded data', value: rollupS, unit: 's' },
        { metric: 'rollup job throughput', value: readings / rollupS, unit: 'readings/s' },
        {
          metric: 'vitals chunks planned, 1-day audit (data-gaps)',
          value: chunkCounts(gaps(oneDay), owners, false).vitals,
          unit: 'chunks',
          ceiling: chunksPerTable,
        },
        {
          metric: `vitals chunks planned, ${days}-day audit (data-gaps)`,
          value: chunkCounts(gaps(month), owners, false).vitals,
          unit: 'chunks',
          ceiling: chunksPerTable,
        },
        {
          metric: `vitals chunks scanned, ${days}-day audit (data-gaps, EXPLAIN ANALYZE)`,
          value: chunkCounts(gaps(monthRun), owners, true).vitals,
          unit: 'chunks',
          ceiling: chunksPerTable,
        },
        {
          metric: `vitals chunks scanned, ${days}-day audit off the hour (data-gaps, EXPLAIN ANALYZE)`,
          value: chunkCounts(gaps(offHour), owners, true).vitals,
          unit: 'chunks',
          ceiling: chunksPerTable,
        },
      ],
      notes: [
        `scale measured: ${facilities} facilities × ${devices} devices × ${days} days of 1-minute data = ${readings} readings (BENCH_COVERAGE_FACILITIES, _DEVICES, _DAYS, _AUDITS), loaded in ${loadS.toFixed(0)} s; the full region (50 facilities, 432 M readings) is beyond this machine's time budget`,
        `${audits} audits of one facility (${devices} devices); the raw-only audit ran once, inside a transaction without the rollup state`,
        `rollup job: ${rolled.hours} hours in ${rollupS.toFixed(1)} s; region score ${region.score}`,
        ...evidence('1-day', oneDay, false),
        ...evidence(`${days}-day`, month, false),
        ...evidence(`${days}-day`, monthRun, true),
        ...evidence(`${days}-day off the hour`, offHour, true),
        'planned = chunks in the plan after plan-time exclusion by the period; scanned = chunks a scan actually ran on (runtime exclusion leaves the partial first and last hours and late or silent hours)',
      ],
    };
  } finally {
    await pool.end();
    await db.drop();
  }
}
