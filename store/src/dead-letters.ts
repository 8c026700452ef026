import type { Queryable } from '@vigil/core';

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
