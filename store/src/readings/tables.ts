import { DEAD_LETTER_COLUMNS } from '../dead-letters.js';
import type { DeviceStateUpdate } from '../devices/device-state.js';
import { READING_COLUMNS, type PgType } from './columns.js';

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
