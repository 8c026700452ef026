import type pg from 'pg';
import { coverageAudit, dataGaps, runRollups, type CoverageQuery } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { FLEET, seedFleet } from './fleet.js';

const NOW = new Date('2026-12-01T00:00:00Z');

/** Runs `work` on one connection inside a transaction that is rolled back, whatever it changed. */
async function rolledBack<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** The audit from the raw rows alone: as if the rollup job had never run (the oracle of the rollup). */
const rawAudit = (pool: pg.Pool, q: CoverageQuery) =>
  rolledBack(pool, async (client) => {
    await client.query('DELETE FROM ingest_rollup_state');
    return coverageAudit(client, q);
  });

/**
 * The audit reads whole hours from the presence rollup (migration 0130) and raw rows only at the edges, for hours
 * marked late and for hours with a silent interval inside: its report must be exactly the raw one's.
 */
describe('coverage audit from the hourly presence rollup', () => {
  let db: TestDatabase;
  const windows: Array<[string, string]> = [
    [FLEET.from, FLEET.to],
    // Not on hour boundaries: partial first and last hours come from the raw rows.
    ['2026-11-18T16:07:30Z', '2026-11-20T09:13:00Z'],
    // Inside the bed mat's silence (02:10–05:40 local crosses three hour boundaries).
    ['2026-11-18T18:30:00Z', '2026-11-18T21:00:00Z'],
    // Inside one hour: no whole hour at all.
    ['2026-11-19T10:01:00Z', '2026-11-19T10:59:00Z'],
  ];
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFleet(db.pool, 'north');
    // The wristband is silent 10:05–10:25 UTC inside one hour, and its battery is low for a minute at 11:17.
    await db.pool.query(
      `DELETE FROM vitals WHERE device_id = 'wb-09' AND time > '2026-11-19T10:05:00Z' AND time < '2026-11-19T10:25:00Z'`,
    );
    await db.pool.query(`UPDATE vitals SET battery = 0.1 WHERE device_id = 'wb-09' AND time = '2026-11-19T11:17:00Z'`);
    // A status message alone (no reading) keeps the smoke sensor alive across an hour boundary.
    await db.pool.query(
      `INSERT INTO device_status (time, device_id, seq, facility_id, source, online, battery)
       VALUES ('2026-11-19T13:59:30Z', 'sm-205', 9, $1, 'status', true, 0.85)`,
      [FLEET.facility],
    );
  });
  afterAll(() => db?.drop());

  it('gives the raw report for every period once the hours are rolled up', async () => {
    const raw = [];
    for (const [from, to] of windows)
      raw.push(await coverageAudit(db.pool, { facility: FLEET.facility, from, to, now: NOW }));
    const result = await runRollups(db.pool, { now: () => +NOW });
    expect(result.hours).toBeGreaterThan(48);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM device_presence_hourly WHERE max_gap > interval '3 minutes'`,
    );
    expect(rows[0].n).toBeGreaterThan(0); // the silent hours, read raw again
    for (const [i, [from, to]] of windows.entries()) {
      expect(await coverageAudit(db.pool, { facility: FLEET.facility, from, to, now: NOW })).toEqual(raw[i]);
    }
    const wristband = raw[0]!.devices.find((d) => d.device === 'wb-09')!;
    expect(wristband.silentGaps).toEqual([
      { from: '2026-11-19T10:05:00.000Z', to: '2026-11-19T10:25:00.000Z', seconds: 1200 },
    ]);
    expect(wristband.lowestBattery).toBeCloseTo(0.1);
  });

  it('reads whole clean hours from the rollup, not the raw rows', async () => {
    const q = { facility: FLEET.facility, from: FLEET.from, to: FLEET.to, now: NOW };
    const before = await coverageAudit(db.pool, q);
    // Raw rows of a rolled-up hour vanish: the rollup still holds them, so nothing changes.
    const without = await rolledBack(db.pool, async (client) => {
      await client.query(`DELETE FROM vitals WHERE time >= '2026-11-19T12:00:00Z' AND time < '2026-11-19T13:00:00Z'`);
      return coverageAudit(client, q);
    });
    expect(without).toEqual(before);
    // The same hour marked late (as ingest marks rows arriving after their hour was rolled up) is read raw.
    const late = await rolledBack(db.pool, async (client) => {
      await client.query(`DELETE FROM vitals WHERE time >= '2026-11-19T12:00:00Z' AND time < '2026-11-19T13:00:00Z'`);
      await client.query(`INSERT INTO ingest_rollup_dirty (bucket) VALUES ('2026-11-19T12:00:00Z')`);
      return dataGaps(client, { ...q, devices: ['wb-09'] });
    });
    expect(late[0]!.gaps.map((g) => [g.from.toISOString(), g.to.toISOString()])).toContainEqual([
      '2026-11-19T11:59:00.000Z',
      '2026-11-19T13:00:00.000Z',
    ]);
  });

  it("turns JIT off for the audit only: a connection's own setting is put back", async () => {
    const q = { facility: FLEET.facility, from: FLEET.from, to: FLEET.to, now: NOW };
    const jit = await rolledBack(db.pool, async (client) => {
      await client.query('SET jit = on');
      await coverageAudit(client, q);
      return (await client.query<{ jit: string }>('SHOW jit')).rows[0]!.jit;
    });
    expect(jit).toBe('on');
  });

  it('matches the raw report with late rows in rolled-up hours', async () => {
    const q = { facility: FLEET.facility, from: FLEET.from, to: FLEET.to, now: NOW };
    // Late rows fill part of the bed mat's silence; ingest marks their hours in the same transaction.
    await db.pool.query(
      `WITH late AS (INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, occupied, battery)
         SELECT t, 'bm-17', 2, $1, 'wang', true, 0.9
         FROM generate_series('2026-11-18T19:00:00Z'::timestamptz, '2026-11-18T19:30:00Z', interval '1 minute') t
         RETURNING time)
       INSERT INTO ingest_rollup_dirty (bucket) SELECT DISTINCT time_bucket('1 hour', time) FROM late ON CONFLICT DO NOTHING`,
      [FLEET.facility],
    );
    const mixed = await coverageAudit(db.pool, q);
    expect(mixed).toEqual(await rawAudit(db.pool, q));
    expect(mixed.devices.find((d) => d.device === 'bm-17')!.silentGaps).toHaveLength(2);
    await runRollups(db.pool, { now: () => +NOW });
    expect(await coverageAudit(db.pool, q)).toEqual(mixed);
  });
});
