import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/database.js';
import { READING_COLUMNS, rowToSample, type ReadingTable } from './columns.js';

const PG_TYPE: Record<string, string> = { real: 'float4', boolean: 'bool', text: 'text' };
/** Columns of a reading table that are not measurements. */
const NOT_MEASURED = new Set(['time', 'device_id', 'seq', 'facility_id', 'resident_id', 'location_id', 'received_at']);

describe('reading columns derived from protocol/ (against the migrated schema)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it.each(['vitals', 'environment'] as ReadingTable[])(
    '%s: every protocol field has its column with the right type, and every measurement column a field',
    async (table) => {
      const { rows } = await db.pool.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = 'public'`,
        [table],
      );
      const stored = Object.fromEntries(
        rows.filter((r) => !NOT_MEASURED.has(r.column_name)).map((r) => [r.column_name, PG_TYPE[r.data_type]]),
      );
      const derived = Object.fromEntries(READING_COLUMNS[table].map((c) => [c.column, c.type]));
      expect(derived).toEqual(stored);
    },
  );

  it('maps a stored row back to protocol field names, leaving NULLs out', () => {
    expect(rowToSample('vitals', { hr: 70, skin_temp: 36.5, spo2: null }, 5)).toEqual({
      ts: 5,
      hr: 70,
      skinTemp: 36.5,
    });
  });
});
