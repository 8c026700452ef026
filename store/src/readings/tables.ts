import type { Queryable } from '@vigil/core';
import type { DeviceStateUpdate } from '../devices/device-state.js';
import { READING_COLUMNS, type PgType } from './columns.js';

/** What could not be stored, and why: one `dead_letters` row. */
export interface DeadLetterRow {
  receivedAt: number;
  topic: string;
  facility: string | null;
  device: string | null;
  reason: string;
  payload: Buffer;
}

/** Raw bytes kept of a bad message, the rest counted in `payload_size` (PROTOCOL.md "What happens to a bad message"). */
export const DEAD_LETTER_MAX_BYTES = 4096;

/** The `dead_letters` columns in the order `deadLetterValues` renders them (ingest's batch statement). */
export const DEAD_LETTER_COLUMNS = [
  ['time', 'timestamptz'],
  ['topic', 'text'],
  ['facility_id', 'text'],
  ['device_id', 'text'],
  ['reason', 'text'],
  ['payload', 'bytea'],
  ['payload_size', 'int4'],
] as const;

/** One dead letter as values in DEAD_LETTER_COLUMNS order, its payload truncated. */
export function deadLetterValues(d: DeadLetterRow): unknown[] {
  const kept = d.payload.length > DEAD_LETTER_MAX_BYTES ? d.payload.subarray(0, DEAD_LETTER_MAX_BYTES) : d.payload;
  return [new Date(d.receivedAt).toISOString(), d.topic, d.facility, d.device, d.reason, kept, d.payload.length];
}

/** Inserts dead letters (outside ingest's batch statement: e.g. an alert event the database refused). */
export async function insertDeadLetters(db: Queryable, letters: readonly DeadLetterRow[]): Promise<void> {
  const rows = letters.map(deadLetterValues);
  const column = (i: number) => rows.map((row) => row[i]);
  await db.query(
    `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS.map(([name]) => name).join(', ')})
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::int4[])`,
    DEAD_LETTER_COLUMNS.map((_, i) => column(i)),
  );
}

/** How ingest sends a batch's rows: one array per column (`unnest`) or COPY into staging tables (`copy`). */
export const WRITE_METHODS = ['unnest', 'copy'] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];

export interface TableSpec {
  name: 'vitals' | 'environment' | 'device_events' | 'device_status' | 'dead_letters';
  columns: ReadonlyArray<readonly [column: string, type: PgType]>;
  /** Rows carry the (device, time, seq) identity: duplicates are skipped with ON CONFLICT DO NOTHING. */
  idempotent: boolean;
}

const IDENTITY = [
  ['time', 'timestamptz'],
  ['device_id', 'text'],
  ['seq', 'int8'],
  ['facility_id', 'text'],
] as const;

const measurements = (table: 'vitals' | 'environment') =>
  READING_COLUMNS[table].map(({ column, type }) => [column, type] as const);

/**
 * The tables ingest writes, with their columns in row order: identity, context, then (for readings) the
 * measurement columns derived from protocol's field list.
 */
export const TABLES = {
  vitals: {
    name: 'vitals',
    columns: [...IDENTITY, ['resident_id', 'text'], ...measurements('vitals')],
    idempotent: true,
  },
  environment: {
    name: 'environment',
    columns: [...IDENTITY, ['location_id', 'text'], ...measurements('environment')],
    idempotent: true,
  },
  device_events: {
    name: 'device_events',
    columns: [...IDENTITY, ['type', 'text'], ['confidence', 'float4']],
    idempotent: true,
  },
  device_status: {
    name: 'device_status',
    columns: [...IDENTITY, ['source', 'text'], ['online', 'bool'], ['battery', 'float4'], ['fw', 'text']],
    idempotent: true,
  },
  dead_letters: { name: 'dead_letters', columns: DEAD_LETTER_COLUMNS, idempotent: false },
} as const satisfies Record<TableSpec['name'], TableSpec>;

export type TableName = keyof typeof TABLES;
export type Row = unknown[];

/** Everything one transaction writes, built by ingest from a batch of prepared messages. */
export interface RowBatch {
  rows: Record<TableName, Row[]>;
  devices: DeviceStateUpdate[];
  /** Hour starts (epoch ms) of vitals/event rows that may already have been rolled up. */
  dirtyHours: number[];
}
