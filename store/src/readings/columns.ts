import { DEVICE_KINDS, READING_FIELDS, READING_TABLE, type ReadingSample } from '@vigil/protocol';

export type ReadingTable = 'vitals' | 'environment';
export type PgType = 'timestamptz' | 'text' | 'int8' | 'int4' | 'float4' | 'bool' | 'bytea';

/** One measurement column of a reading hypertable: the protocol's field, its column and its type. */
export interface ReadingColumn {
  field: string;
  column: string;
  type: PgType;
}

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** zod 4 keeps the schema's kind in `_zod.def.type`: booleans are bool, enums text, numbers real (float4). */
function pgTypeOf(schema: unknown): PgType {
  const kind = (schema as { _zod: { def: { type: string } } })._zod.def.type;
  if (kind === 'boolean') return 'bool';
  if (kind === 'enum' || kind === 'string') return 'text';
  return 'float4';
}

function columnsOf(table: ReadingTable): ReadingColumn[] {
  const columns = new Map<string, ReadingColumn>();
  for (const kind of DEVICE_KINDS) {
    if (READING_TABLE[kind] !== table) continue;
    for (const [field, schema] of Object.entries(READING_FIELDS[kind])) {
      if (!columns.has(field)) columns.set(field, { field, column: snakeCase(field), type: pgTypeOf(schema) });
    }
  }
  return [...columns.values()];
}

/**
 * The measurement columns of each reading table, derived once from protocol's READING_FIELDS (a field of a kind
 * goes to READING_TABLE[kind], as `snake_case`): a new reading field is one edit in protocol/ plus one column in a
 * migration. Every reader and writer of readings takes its column list from here.
 */
export const READING_COLUMNS: Readonly<Record<ReadingTable, readonly ReadingColumn[]>> = {
  vitals: columnsOf('vitals'),
  environment: columnsOf('environment'),
};

/** A stored reading row (columns named as here) → the protocol's sample: the fields that are not NULL. */
export function rowToSample(table: ReadingTable, row: Record<string, unknown>, ts: number): ReadingSample {
  const sample: ReadingSample = { ts };
  for (const { field, column } of READING_COLUMNS[table]) {
    const value = row[column];
    if (value !== null && value !== undefined) sample[field] = value as number | boolean | string;
  }
  return sample;
}

/** `hr, spo2, …` of a table, optionally qualified (`v.hr`). */
export const readingColumnList = (table: ReadingTable, alias?: string): string =>
  READING_COLUMNS[table].map(({ column }) => (alias ? `${alias}.${column}` : column)).join(', ');

/** The vital signs (protocol field names) the hourly rollups summarise: `vitals_hourly` has columns for these. */
const METRIC_FIELDS = ['hr', 'spo2', 'rr', 'sbp', 'dbp', 'skinTemp'] as const;
export type VitalMetric = (typeof METRIC_FIELDS)[number];

/** Each summarised vital sign as [column, field], the column taken from the one field ↔ column map. */
export const VITAL_METRICS: ReadonlyArray<readonly [column: string, field: VitalMetric]> = METRIC_FIELDS.map(
  (field) => [READING_COLUMNS.vitals.find((c) => c.field === field)!.column, field] as const,
);

/** `count(hr), sum(hr), min(hr), max(hr), …` over raw vitals rows. */
export const rawAggregates = (): string =>
  VITAL_METRICS.map(
    ([c]) =>
      `count(${c})::int AS ${c}_count, sum(${c})::float8 AS ${c}_sum, min(${c}) AS ${c}_min, max(${c}) AS ${c}_max`,
  ).join(',\n  ');

/** The same aggregates over rows that already hold counts, sums, minima and maxima (rollups, or parts). */
export const combinedAggregates = (): string =>
  VITAL_METRICS.map(
    ([c]) =>
      `sum(${c}_count)::int AS ${c}_count, sum(${c}_sum)::float8 AS ${c}_sum, min(${c}_min) AS ${c}_min, max(${c}_max) AS ${c}_max`,
  ).join(',\n  ');

/** Column list of `vitals_hourly`'s aggregate columns, in the order the aggregates above produce them. */
export const aggregateColumns = (): string =>
  VITAL_METRICS.map(([c]) => `${c}_count, ${c}_sum, ${c}_min, ${c}_max`).join(', ');
