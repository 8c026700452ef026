import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { WriteMethod } from './config.js';
import type { Row, TableSpec } from './rows.js';

/** Inserts rows into one table inside the caller's transaction; returns how many were new. */
export type InsertRows = (client: pg.PoolClient, spec: TableSpec, rows: Row[]) => Promise<number>;

const columnList = (spec: TableSpec) => spec.columns.map(([column]) => column).join(', ');
const onConflict = (spec: TableSpec) => (spec.idempotent ? ' ON CONFLICT DO NOTHING' : '');

/** One statement: `INSERT … SELECT * FROM unnest($1::type[], …)`; the rows travel as one array per column. */
export const insertUnnest: InsertRows = async (client, spec, rows) => {
  const casts = spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const columns = spec.columns.map((_, i) => rows.map((row) => row[i]));
  const result = await client.query({
    name: `ingest-unnest-${spec.name}`,
    text: `INSERT INTO ${spec.name} (${columnList(spec)}) SELECT * FROM unnest(${casts})${onConflict(spec)}`,
    values: columns,
  });
  return result.rowCount ?? 0;
};

// COPY text format: tab-separated, \N for NULL, backslash escapes (PostgreSQL docs, "COPY … File Formats").
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  return String(value).replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!);
}

/** Renders rows in COPY text format. */
export function copyText(rows: Row[]): string {
  let text = '';
  for (const row of rows) text += `${row.map(copyValue).join('\t')}\n`;
  return text;
}

// Staging tables live per connection; a pool client object lives exactly as long as its connection.
const staged = new WeakMap<pg.PoolClient, Set<string>>();
async function ensureStage(client: pg.PoolClient, spec: TableSpec): Promise<string> {
  const stage = `ingest_stage_${spec.name}`;
  let tables = staged.get(client);
  if (!tables) staged.set(client, (tables = new Set()));
  if (!tables.has(stage)) {
    const columns = spec.columns.map(([column, type]) => `${column} ${type}`).join(', ');
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stage} (${columns}) ON COMMIT DELETE ROWS`);
    tables.add(stage);
  }
  return stage;
}

/**
 * COPY into a per-connection temporary staging table, then one `INSERT … SELECT … ON CONFLICT DO NOTHING`
 * into the hypertable: COPY itself cannot skip duplicates.
 */
export const insertCopy: InsertRows = async (client, spec, rows) => {
  const stage = await ensureStage(client, spec);
  const columns = columnList(spec);
  await pipeline(Readable.from([copyText(rows)]), client.query(copyFrom(`COPY ${stage} (${columns}) FROM STDIN`)));
  const result = await client.query({
    name: `ingest-copy-${spec.name}`,
    text: `INSERT INTO ${spec.name} (${columns}) SELECT ${columns} FROM ${stage}${onConflict(spec)}`,
  });
  return result.rowCount ?? 0;
};

export const WRITE_METHOD: Record<WriteMethod, InsertRows> = { unnest: insertUnnest, copy: insertCopy };
