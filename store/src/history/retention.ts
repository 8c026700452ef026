import type { Clock, Pool } from '@vigil/core';
import { checkout, inTransaction } from '../db/checkout.js';

/** Raw hypertables retention applies to. Alerts and alert events are ordinary tables and never dropped. */
export const RETAINED_HYPERTABLES = ['vitals', 'environment', 'device_events', 'device_status', 'dead_letters'];
/** Tables whose raw rows feed the rollups: never dropped before they are rolled up. */
const ROLLED_UP = new Set(['vitals', 'device_events']);
const RETENTION_LOCK = 7240021;
const DAY_MS = 86_400_000;

export interface RetentionResult {
  skipped: boolean;
  cutoff: Date;
  /** Chunks dropped per table. */
  dropped: Record<string, number>;
}

/**
 * Drops raw chunks older than `retentionDays` with `drop_chunks` (a whole chunk goes once all of it is
 * older than the cutoff). Rows not yet rolled up are kept whatever their age.
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
      const dropped: Record<string, number> = {};
      for (const table of RETAINED_HYPERTABLES) {
        const olderThan = ROLLED_UP.has(table) && rolledUntil < cutoff ? rolledUntil : cutoff;
        const { rows } = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM drop_chunks($1::regclass, older_than => $2::timestamptz)',
          [table, olderThan],
        );
        dropped[table] = rows[0]!.n;
      }
      await client.query('DELETE FROM ingest_rollup_dirty WHERE bucket < $1', [cutoff]);
      return { skipped: false, cutoff, dropped };
    }),
  );
}
