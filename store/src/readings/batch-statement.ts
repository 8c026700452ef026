import { deviceStateSql, deviceStateValues } from '../devices/device-state.js';
import { TABLES, type Row, type RowBatch, type TableName, type TableSpec, type WriteMethod } from './tables.js';

export type TableCounts = Record<TableName, number>;

export const zeroCounts = (): TableCounts => ({
  vitals: 0,
  environment: 0,
  device_events: 0,
  device_status: 0,
  dead_letters: 0,
});

/** One table's rows in COPY text, for the `copy` method's staging table. */
export interface StagedCopy {
  stage: string;
  /** `CREATE TEMP TABLE …` for the staging table, run once per connection. */
  create: string;
  copy: string;
  text: string;
}

/**
 * A batch rendered to what goes over the wire: one statement that writes every table, the devices' state
 * and the late hours, plus (method `copy`) the COPY texts it reads from. Rendering is the JavaScript-heavy
 * part of a write, so the pipeline does it while the previous batch is still in the database.
 */
export interface EncodedBatch {
  attempted: TableCounts;
  tables: TableName[];
  copies: StagedCopy[];
  /** Null when the batch writes nothing (e.g. only replayed retained wills). */
  statement: { name: string; text: string; values: string[] } | null;
}

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
  return rows.map((row) => `${row.map(copyValue).join('\t')}\n`).join('');
}

// Array text format ("Arrays", "Array Value Input"): strings double-quoted with \ and " escaped; numbers and
// booleans bare. Rendered here rather than by pg at send time, so that the work is off the critical path.
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Buffer.isBuffer(value)) return `"\\\\x${value.toString('hex')}"`;
  const text = String(value);
  return /["\\]/.test(text) ? `"${text.replace(/["\\]/g, '\\$&')}"` : `"${text}"`;
}

/** Renders values as a PostgreSQL array literal. */
export function arrayLiteral(values: readonly unknown[]): string {
  // One join rather than `+=`: a flat string, not a tree of small pieces the young generation must copy.
  return `{${values.map(arrayElement).join(',')}}`;
}

const SHAPE_LETTER: Record<TableName, string> = {
  vitals: 'v',
  environment: 'e',
  device_events: 'x',
  device_status: 's',
  dead_letters: 'l',
};

const columnList = (spec: TableSpec) => spec.columns.map(([column]) => column).join(', ');
const stageOf = (spec: TableSpec) => `ingest_stage_${spec.name}`;

/**
 * Renders a batch for `method`: `unnest` sends every table's rows as one array per column; `copy` COPYs
 * them into per-connection staging tables that the statement reads. Either way a single statement inserts
 * into every table (`ON CONFLICT DO NOTHING` on the (device, time, seq) identity, so copies of stored rows
 * are skipped), updates the devices' current state and marks late hours; it returns the rows inserted per
 * table. Dead letters have no identity and are rare: always as arrays, never skipped.
 */
export function encodeBatch(method: WriteMethod, batch: RowBatch): EncodedBatch {
  const attempted = zeroCounts();
  const tables: TableName[] = [];
  const copies: StagedCopy[] = [];
  const values: string[] = [];
  const parts: string[] = [];
  const shape: string[] = [];
  const param = (type: string, value: string) => `$${values.push(value)}::${type}[]`;
  for (const name of Object.keys(TABLES) as TableName[]) {
    const rows = batch.rows[name];
    if (!rows.length) continue;
    const spec: TableSpec = TABLES[name];
    let columns = columnList(spec);
    attempted[name] = rows.length;
    tables.push(name);
    let source: string;
    if (method === 'copy' && spec.idempotent) {
      const stage = stageOf(spec);
      const definition = spec.columns.map(([column, type]) => `${column} ${type}`).join(', ');
      copies.push({
        stage,
        create: `CREATE TEMP TABLE IF NOT EXISTS ${stage} (${definition}) ON COMMIT DELETE ROWS`,
        copy: `COPY ${stage} (${columns}) FROM STDIN`,
        text: copyText(rows),
      });
      source = `SELECT ${columns} FROM ${stage}`;
      shape.push('');
    } else {
      // Columns that are NULL in every row are left out (they default to NULL): a batch of wristband and
      // bed-mat readings fills 5 of vitals' 11 value columns, and every array left out is one less to
      // render, send, parse and unnest.
      const picked = spec.columns
        .map(([column, type], i) => ({ column, type, i, values: rows.map((row) => row[i]) }))
        .filter(({ values: v }) => v.some((value) => value !== null));
      columns = picked.map(({ column }) => column).join(', ');
      source = `SELECT * FROM unnest(${picked.map(({ type, values: v }) => param(type, arrayLiteral(v))).join(', ')})`;
      shape.push(picked.reduce((mask, { i }) => mask + 2 ** i, 0).toString(36));
    }
    const conflict = spec.idempotent ? ' ON CONFLICT DO NOTHING' : '';
    parts.push(`w_${name} AS (INSERT INTO ${name} (${columns}) ${source}${conflict} RETURNING 1)`);
  }
  if (batch.devices.length) {
    const first = values.length + 1;
    values.push(...deviceStateValues(batch.devices).map(arrayLiteral));
    parts.push(`w_devices AS (${deviceStateSql(first)})`);
  }
  if (batch.dirtyHours.length) {
    const hours = arrayLiteral(batch.dirtyHours.map((ms) => new Date(ms).toISOString()));
    const hoursParam = param('timestamptz', hours);
    parts.push(
      `w_dirty AS (INSERT INTO ingest_rollup_dirty (bucket) SELECT unnest(${hoursParam}) ON CONFLICT DO NOTHING)`,
    );
  }
  if (!parts.length) return { attempted, tables, copies, statement: null };
  const counts = tables.map((name) => `(SELECT count(*) FROM w_${name})::int AS ${name}`);
  const text = `WITH ${parts.join(',\n  ')}\nSELECT ${counts.length ? counts.join(', ') : 'NULL'}`;
  // Named (prepared once per connection) by shape: which tables (and columns) and parts the batch has.
  // PostgreSQL cuts names at 63 bytes: one letter per part, column sets as base-36 bit masks.
  const signature = tables.map((table, i) => SHAPE_LETTER[table] + shape[i]).join('');
  const name = `ingest-${method}-${signature}${batch.devices.length ? 'd' : ''}${batch.dirtyHours.length ? 'h' : ''}`;
  return { attempted, tables, copies, statement: { name, text, values } };
}
