import { checkout, inTransaction } from '@vigil/core';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from '@vigil/core';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { encodeBatch, zeroCounts, type EncodedBatch, type StagedCopy, type TableCounts } from './batch-statement.js';
import type { RowBatch, TableName, WriteMethod } from './tables.js';

export interface WriteResult {
  /** Rows offered per table. */
  attempted: TableCounts;
  /** Rows that were new (the rest were duplicates of stored rows). */
  inserted: TableCounts;
}

// Staging tables live per connection; a pool client object lives exactly as long as its connection.
const staged = new WeakMap<pg.PoolClient, Set<string>>();
async function stage(client: pg.PoolClient, copy: StagedCopy): Promise<void> {
  let tables = staged.get(client);
  if (!tables) staged.set(client, (tables = new Set()));
  if (!tables.has(copy.stage)) {
    await client.query(copy.create);
    tables.add(copy.stage);
  }
  await pipeline(Readable.from([copy.text]), client.query(copyFrom(copy.copy)));
}

/**
 * Writes one encoded batch atomically: rows of every table, the devices' current state and the late hours
 * the rollup job must recompute. All or nothing, so a batch is acknowledged to the broker only when every
 * one of its messages is stored. Without staging (method `unnest`) that is one statement, one round trip,
 * its own transaction; with staging the COPYs and the statement share a transaction.
 */
export async function executeBatch(pool: Pool, encoded: EncodedBatch): Promise<WriteResult> {
  const { statement, copies } = encoded;
  const inserted = zeroCounts();
  if (!statement) return { attempted: encoded.attempted, inserted };
  const run = (client: pg.PoolClient | Pool) => client.query<Record<TableName, number>>(statement);
  const result = copies.length
    ? await checkout(pool, (client) =>
        inTransaction(client, async () => {
          for (const copy of copies) await stage(client, copy);
          return run(client);
        }),
      )
    : await run(pool);
  const counts = result.rows[0]!;
  for (const name of encoded.tables) inserted[name] = counts[name];
  return { attempted: encoded.attempted, inserted };
}

/** Encodes and writes one batch (see `encodeBatch` and `executeBatch`). */
export const writeBatch = (pool: Pool, method: WriteMethod, batch: RowBatch): Promise<WriteResult> =>
  executeBatch(pool, encodeBatch(method, batch));
