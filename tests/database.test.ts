import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

describe('test database harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('gives a migrated TimescaleDB database with the time-series tables as hypertables', async () => {
    const { rows } = await db.pool.query<{ hypertable_name: string }>(
      'SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1',
    );
    expect(rows.map((row) => row.hypertable_name)).toEqual([
      'dead_letters',
      'device_events',
      'device_status',
      'environment',
      // The regional hub's copies (migrations/0090_region_hub.sql, docs/hub.md).
      'region_alert_events',
      'region_device_status',
      'region_summaries',
      'vitals',
    ]);
  });

  it('stores a reading once however often (device, ts, seq) is written', async () => {
    await db.pool.query(`INSERT INTO facilities (id, name, region, timezone) VALUES ('f1', 'F', 'r1', 'UTC')`);
    const insert = `INSERT INTO vitals (time, device_id, seq, facility_id, hr) VALUES ($1, 'wb-1', 7, 'f1', 70)
                    ON CONFLICT DO NOTHING`;
    await db.pool.query(insert, ['2026-11-23T02:00:00Z']);
    await db.pool.query(insert, ['2026-11-23T02:00:00Z']);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM vitals');
    expect(rows[0].n).toBe(1);
  });

  it('refuses to change or delete an alert event (append-only)', async () => {
    await db.pool.query(`INSERT INTO facilities (id, name, region, timezone) VALUES ('f2', 'F', 'r1', 'UTC')`);
    const alertId = '00000000-0000-4000-8000-000000000001';
    await db.pool.query(
      `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, detail, raised_at, occurred_at, last_seen_at)
       VALUES ($1, 'f2', 'fall', 'critical', 'open', 'r1', 'fall', now(), now(), now())`,
      [alertId],
    );
    await db.pool.query(
      `INSERT INTO alert_events (id, alert_id, facility_id, type, at, data, hash) VALUES (1, $1, 'f2', 'raised', now(), '{}', '\\x00')`,
      [alertId],
    );
    await expect(db.pool.query(`UPDATE alert_events SET actor = 'x'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM alert_events`)).rejects.toThrow(/append-only/);
  });
});
