import type { Pool } from '@vigil/core';
import { checkout, inTransaction } from './checkout.js';
import type { WriteMethod } from './config.js';
import { TABLES, type RowBatch, type TableName } from './rows.js';
import { WRITE_METHOD, insertUnnest } from './write-methods.js';

export type TableCounts = Record<TableName, number>;

export interface WriteResult {
  /** Rows offered per table. */
  attempted: TableCounts;
  /** Rows that were new (the rest were duplicates of stored rows). */
  inserted: TableCounts;
}

const zero = (): TableCounts => ({ vitals: 0, environment: 0, device_events: 0, device_status: 0, dead_letters: 0 });

const UPDATE_DEVICES = `
  UPDATE devices d SET
    last_seen_at = GREATEST(d.last_seen_at, u.last_seen),
    online = u.online,
    battery = coalesce(u.battery, d.battery),
    fw = coalesce(u.fw, d.fw)
  FROM unnest($1::text[], $2::timestamptz[], $3::bool[], $4::float4[], $5::text[]) AS u(id, last_seen, online, battery, fw)
  WHERE d.id = u.id`;

/**
 * Writes one batch in one transaction: rows of every table, the devices' current state (one UPDATE for
 * the whole batch), and the late hours the rollup job must recompute. All or nothing, so a batch is
 * acknowledged to the broker only when every one of its messages is stored.
 */
export async function writeBatch(pool: Pool, method: WriteMethod, batch: RowBatch): Promise<WriteResult> {
  const result: WriteResult = { attempted: zero(), inserted: zero() };
  return checkout(pool, (client) =>
    inTransaction(client, async () => {
      for (const name of Object.keys(TABLES) as TableName[]) {
        const rows = batch.rows[name];
        if (!rows.length) continue;
        const spec = TABLES[name];
        // Dead letters are rare and have no identity: the generic statement is enough.
        const insert = spec.idempotent ? WRITE_METHOD[method] : insertUnnest;
        result.attempted[name] = rows.length;
        result.inserted[name] = await insert(client, spec, rows);
      }
      if (batch.devices.length) {
        // A stable lock order, so concurrent workers updating the same devices cannot deadlock.
        const devices = [...batch.devices].sort((a, b) => (a.id < b.id ? -1 : 1));
        await client.query({
          name: 'ingest-update-devices',
          text: UPDATE_DEVICES,
          values: [
            devices.map((d) => d.id),
            devices.map((d) => (d.lastSeen === null ? null : new Date(d.lastSeen).toISOString())),
            devices.map((d) => d.online),
            devices.map((d) => d.battery),
            devices.map((d) => d.fw),
          ],
        });
      }
      if (batch.dirtyHours.length) {
        await client.query(
          'INSERT INTO ingest_rollup_dirty (bucket) SELECT unnest($1::timestamptz[]) ON CONFLICT DO NOTHING',
          [batch.dirtyHours.map((ms) => new Date(ms).toISOString())],
        );
      }
      return result;
    }),
  );
}
