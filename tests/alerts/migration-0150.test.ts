import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent, verifyChain } from '@vigil/alerts';
import { migrate, MIGRATIONS_DIR, silentLogger } from '@vigil/core';
import type { AlertEvent } from '@vigil/protocol';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { makeAlert } from '../api/fixture.js';
import { commandResult, listenForEvents, seedFacility, sendCommand, startTestAlerts } from './harness.js';

const MIGRATION = '0150_alert_workers';

/** Stores a chained event as the alerts service did before migration 0150: ids global, one sequence for all. */
async function storeOldEvent(db: TestDatabase, event: AlertEvent, prevHash: Buffer | null): Promise<Buffer> {
  const a = event.alert;
  await db.pool.query(
    `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, resident_id, detail, raised_at, occurred_at,
       last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)`,
    [a.id, a.facility, a.rule, a.priority, a.status, a.subject, a.resident, a.detail, a.raisedAt],
  );
  const hash = hashEvent(prevHash, event);
  await db.pool.query(
    `INSERT INTO alert_events (id, alert_id, facility_id, type, at, actor, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [event.eventId, a.id, a.facility, event.event, event.at, event.actor, JSON.stringify(a), prevHash, hash],
  );
  return hash;
}

/**
 * Migration 0150 on a database with events from before it (ids global): the old events keep their ids and their
 * chains verify, and each facility's numbering continues after its own highest id (docs/alerts.md "Workers").
 */
describe('migration 0150: event ids per facility on existing data', () => {
  let db: TestDatabase;
  /** 0150 and every migration after it, in order: rolled back, then migrated again. */
  let rolledBack: string[];

  beforeAll(async () => {
    const names = (await readdir(MIGRATIONS_DIR))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.slice(0, -4))
      .sort();
    rolledBack = names.filter((n) => n >= MIGRATION);
    db = await createTestDatabase();
    await seedFacility(db.pool, 'fa');
    await seedFacility(db.pool, 'fb');
    // Back to the schema before 0150 (its own down section, and those of every later migration first), then the
    // old service's events.
    for (const name of [...rolledBack].reverse()) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, `${name}.sql`), 'utf8');
      await db.pool.query(sql.split('-- Down Migration')[1]!);
      await db.pool.query('DELETE FROM pgmigrations WHERE name = $1', [name]);
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps the old ids and chains, and continues each facility after its highest id', async () => {
    const at = new Date().toISOString();
    const alert = (facility: string, subject: string) =>
      makeAlert({ facility, subject, resident: 'r1', device: null, location: null, raisedAt: at });
    const open = alert('fa', 'resident:r1');
    const hashes = new Map<string, Buffer | null>();
    for (const [eventId, a] of [
      [1, open],
      [2, alert('fb', 'resident:r1')],
      [3, alert('fa', 'device:sm-1')],
    ] as const) {
      const event: AlertEvent = { eventId, event: 'raised', at, actor: null, alert: a };
      hashes.set(a.facility, await storeOldEvent(db, event, hashes.get(a.facility) ?? null));
    }
    expect(await migrate(db.url, silentLogger())).toEqual(rolledBack);
    expect(await verifyChain(db.pool)).toEqual({
      facilities: [
        { facility: 'fa', events: 2 },
        { facility: 'fb', events: 1 },
      ],
      broken: null,
    });

    const gateway = await startTestGateway(db.url);
    const alerts = await startTestAlerts(db.pool, db.url, gateway.url);
    const listener = await listenForEvents(db.pool, gateway.url);
    try {
      expect([alerts.lastEventId('fa'), alerts.lastEventId('fb')]).toEqual([3, 2]);
      // The old open alert goes on: its next event continues fa's chain after id 3.
      const ack = await sendCommand(db.pool, { facility: 'fa', command: 'acknowledge', actor: 'u', alertId: open.id });
      expect((await commandResult(db.pool, ack)).error).toBeNull();
      const drill = await sendCommand(db.pool, { facility: 'fb', command: 'drill', actor: 'u', args: {} });
      expect((await commandResult(db.pool, drill)).error).toBeNull();
      const events = await Promise.all([
        listener.next('fa acknowledged', (e) => e.event === 'acknowledged'),
        listener.next('fb drill', (e) => e.alert.drill),
      ]);
      expect(events.map((e) => [e.alert.facility, e.eventId])).toEqual([
        ['fa', 4],
        ['fb', 3],
      ]);
      expect(await verifyChain(db.pool)).toEqual({
        facilities: [
          { facility: 'fa', events: 3 },
          { facility: 'fb', events: 2 },
        ],
        broken: null,
      });
    } finally {
      await listener.close();
      await alerts.close();
      await gateway.close();
    }
  });
});
