import { checkout, inTransaction, type Clock, type Pool } from '@vigil/core';
import type pg from 'pg';
import { aggregateColumns, rawAggregates } from '../readings/columns.js';
import { deleteAuditBefore } from '../audit/access-log.js';
import { retentionDaysByClass, type DataClass } from '../privacy/retention-settings.js';
import { PRESENCE_DELETE_SQL, PRESENCE_ROLLUP_SQL } from './presence-rollup.js';

const HOUR_MS = 3600_000;
/** An hour is rolled up once it ended this long ago; ingest marks rows for older hours as late (rows.ts). */
export const ROLLUP_DELAY_MS = 10 * 60_000;
const SLICE_MS = 24 * HOUR_MS;
const JOB = 'hourly';
export const ROLLUP_LOCK = 7240020;

export interface RollupResult {
  skipped: boolean;
  /** Hours rolled up for the first time. */
  hours: number;
  /** Late hours recomputed. */
  recomputed: number;
  doneUntil: Date | null;
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Recomputes the rollups of [from, to) from the raw rows: idempotent, so any hour can be redone. */
async function rollUp(client: pg.PoolClient, from: number, to: number): Promise<void> {
  const range = [new Date(from), new Date(to)];
  await client.query('DELETE FROM vitals_hourly WHERE bucket >= $1 AND bucket < $2', range);
  await client.query(
    `INSERT INTO vitals_hourly (bucket, device_id, facility_id, resident_id, samples, ${aggregateColumns()})
     SELECT time_bucket('1 hour', time), device_id, facility_id, resident_id, count(*)::int,
       ${rawAggregates()}
     FROM vitals WHERE time >= $1 AND time < $2
     GROUP BY 1, 2, 3, 4`,
    range,
  );
  await client.query('DELETE FROM device_events_hourly WHERE bucket >= $1 AND bucket < $2', range);
  await client.query(
    `INSERT INTO device_events_hourly (bucket, device_id, facility_id, type, events)
     SELECT time_bucket('1 hour', time), device_id, facility_id, type, count(*)::int
     FROM device_events WHERE time >= $1 AND time < $2
     GROUP BY 1, 2, 3, 4`,
    range,
  );
  await client.query(PRESENCE_DELETE_SQL, range);
  await client.query(PRESENCE_ROLLUP_SQL, range);
}

/** Merges hour starts into contiguous [from, to) ranges. */
export function hourRanges(hours: number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last && last[1] === hour) last[1] = hour + HOUR_MS;
    else ranges.push([hour, hour + HOUR_MS]);
  }
  return ranges;
}

/**
 * Rolls up every completed hour since the last run (one transaction per day of data), then recomputes
 * the hours that received late rows. A session advisory lock keeps concurrent runs (overlapping
 * schedules, several ingest workers) from doing the same work twice.
 */
export async function runRollups(pool: Pool, clock: Clock): Promise<RollupResult> {
  return checkout(pool, async (client) => {
    const { rows: lock } = await client.query('SELECT pg_try_advisory_lock($1) AS ok', [ROLLUP_LOCK]);
    if (!lock[0].ok) return { skipped: true, hours: 0, recomputed: 0, doneUntil: null };
    try {
      return await rollUpPending(client, clock);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLLUP_LOCK]);
    }
  });
}

async function rollUpPending(client: pg.PoolClient, clock: Clock): Promise<RollupResult> {
  const horizon = floorHour(clock.now() - ROLLUP_DELAY_MS);
  const { rows: state } = await client.query<{ done: Date }>(
    'SELECT done_until AS done FROM ingest_rollup_state WHERE job = $1',
    [JOB],
  );
  let start = state[0]?.done.getTime();
  if (start === undefined) {
    const { rows } = await client.query<{ first: Date | null }>(
      `SELECT least((SELECT min(time) FROM vitals), (SELECT min(time) FROM environment),
                    (SELECT min(time) FROM device_events), (SELECT min(time) FROM device_status)) AS first`,
    );
    start = rows[0]?.first ? floorHour(rows[0].first.getTime()) : horizon;
  }
  let recomputed = 0;
  await inTransaction(client, async () => {
    const { rows } = await client.query<{ bucket: Date }>(
      'DELETE FROM ingest_rollup_dirty WHERE bucket < $1 RETURNING bucket',
      [new Date(start!)],
    );
    for (const [from, to] of hourRanges(rows.map((r) => r.bucket.getTime()))) {
      await rollUp(client, from, to);
      recomputed += (to - from) / HOUR_MS;
    }
  });
  let hours = 0;
  do {
    const from = start;
    const to = Math.min(from + SLICE_MS, horizon);
    await inTransaction(client, async () => {
      if (to > from) await rollUp(client, from, to);
      await client.query(
        `INSERT INTO ingest_rollup_state (job, done_until) VALUES ($1, $2)
         ON CONFLICT (job) DO UPDATE SET done_until = EXCLUDED.done_until, updated_at = now()`,
        [JOB, new Date(Math.max(to, from))],
      );
    });
    hours += Math.max(0, to - from) / HOUR_MS;
    start = Math.max(to, from);
  } while (start < horizon);
  return { skipped: false, hours, recomputed, doneUntil: new Date(start) };
}

/** Raw hypertables retention applies to, by data class. Alerts and alert events are ordinary tables and never dropped. */
const RETAINED_HYPERTABLES: Record<Exclude<DataClass, 'audit'>, readonly string[]> = {
  vitals: ['vitals'],
  environment: ['environment'],
  events: ['device_events', 'device_status', 'dead_letters'],
};
/** Tables whose raw rows feed the rollups: never dropped before they are rolled up. */
const ROLLED_UP = new Set(['vitals', 'environment', 'device_events', 'device_status']);
const RETENTION_LOCK = 7240021;
const DAY_MS = 86_400_000;

export interface RetentionResult {
  skipped: boolean;
  /** The oldest time kept of the raw readings without their own setting (`retentionDays`). */
  cutoff: Date;
  /** Chunks dropped per table (`audit_log`: rows deleted). */
  dropped: Record<string, number>;
}

/**
 * Drops raw chunks older than their data class's retention (`retention_settings`, else `retentionDays`) with
 * `drop_chunks` (a whole chunk goes once all of it is older than the cutoff) and deletes older audit entries.
 * Rows not yet rolled up are kept whatever their age.
 */
export async function runRetention(pool: Pool, clock: Clock, retentionDays: number): Promise<RetentionResult> {
  const cutoff = new Date(clock.now() - retentionDays * DAY_MS);
  return checkout(pool, (client) =>
    inTransaction(client, async () => {
      const { rows: lock } = await client.query('SELECT pg_try_advisory_xact_lock($1) AS ok', [RETENTION_LOCK]);
      if (!lock[0].ok) return { skipped: true, cutoff, dropped: {} };
      const { rows: state } = await client.query<{ done: Date }>(
        "SELECT done_until AS done FROM ingest_rollup_state WHERE job = 'hourly'",
      );
      const rolledUntil = state[0]?.done ?? new Date(0);
      const days = await retentionDaysByClass(client, retentionDays);
      const cutoffOf = (dataClass: DataClass) => new Date(clock.now() - days[dataClass] * DAY_MS);
      const dropped: Record<string, number> = {};
      for (const [dataClass, tables] of Object.entries(RETAINED_HYPERTABLES)) {
        const classCutoff = cutoffOf(dataClass as DataClass);
        for (const table of tables) {
          const olderThan = ROLLED_UP.has(table) && rolledUntil < classCutoff ? rolledUntil : classCutoff;
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM drop_chunks($1::regclass, older_than => $2::timestamptz)',
            [table, olderThan],
          );
          dropped[table] = rows[0]!.n;
        }
      }
      dropped.audit_log = await deleteAuditBefore(client, cutoffOf('audit'));
      await client.query('DELETE FROM ingest_rollup_dirty WHERE bucket < $1', [cutoff]);
      return { skipped: false, cutoff, dropped };
    }),
  );
}
