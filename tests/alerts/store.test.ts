import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@vigil/alerts';
import type { AlertEvent } from '@vigil/protocol';
import { AlertBook, type Transition } from '../../alerts/src/alert-book.js';
import { hashEvent } from '../../alerts/src/chain.js';
import { appendAlertEvents as writeBatch, type EventWrite } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedFacility } from './harness.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const fall = {
  action: 'raise' as const,
  rule: 'fall' as const,
  subject: 'resident:r1',
  priority: 'critical' as const,
  detail: 'fall detected',
  resident: 'r1',
  device: 'wb-1',
  location: 'room-1',
  occurredAt: T0,
};

/** Numbered, chained writes as the event log makes them. */
function chained(transitions: (Transition & { commandId?: number })[]): EventWrite[] {
  let prevHash: Buffer | null = null;
  return transitions.map(({ commandId, ...t }, i) => {
    const event: AlertEvent = {
      eventId: i + 1,
      event: t.type,
      at: new Date(t.at).toISOString(),
      actor: t.actor,
      alert: t.alert,
    };
    const hash = hashEvent(prevHash, event);
    const write = { event, prevHash, hash, commandId };
    prevHash = hash;
    return write;
  });
}

describe('alert writes (one statement per batch)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFacility(db.pool, 'f1');
  });
  afterAll(async () => db?.drop());

  it('stores a batch that resolves an open alert and raises its subject again, once however often it is retried', async () => {
    const { rows } = await db.pool.query(
      `INSERT INTO alert_commands (facility_id, command, actor, args) VALUES ('f1', 'resolve', 'nurse-1', '{}') RETURNING id`,
    );
    const commandId = Number(rows[0].id);
    const book = new AlertBook({ updateIntervalMs: 30_000 });
    const first = book.raise('f1', fall, T0)!;
    const escalated = book.escalate(T0 + 61_000, { repeatMs: 60_000, officerMs: 180_000 });
    const present = book.presence(first.alert.id, 'f1', 'nurse-1', T0 + 65_000);
    if (!present.ok) throw new Error(present.code);
    const resolved = book.resolve(first.alert.id, 'f1', 'nurse-1', { outcome: 'assisted' }, T0 + 70_000);
    if (!resolved.ok) throw new Error(resolved.code);
    const again = book.raise('f1', { ...fall, occurredAt: T0 + 80_000 }, T0 + 80_000)!;
    const batch = chained([first, ...escalated, { ...resolved.transition, commandId }, again]);

    // The alert is open in the table when the batch that resolves it and raises its subject again is written.
    await writeBatch(db.pool, batch.slice(0, 2));
    await writeBatch(db.pool, batch.slice(2));
    await writeBatch(db.pool, batch); // a retry after a connection lost during COMMIT

    const alerts = await db.pool.query('SELECT id, status, escalation_level, outcome FROM alerts ORDER BY raised_at');
    expect(alerts.rows).toEqual([
      { id: first.alert.id, status: 'resolved', escalation_level: 1, outcome: 'assisted' },
      { id: again.alert.id, status: 'open', escalation_level: 0, outcome: null },
    ]);
    const events = await db.pool.query('SELECT id, type FROM alert_events ORDER BY id');
    expect(events.rows.map((e) => [Number(e.id), e.type])).toEqual([
      [1, 'raised'],
      [2, 'escalated'],
      [3, 'resolved'],
      [4, 'raised'],
    ]);
    const command = await db.pool.query('SELECT processed_at, alert_id FROM alert_commands WHERE id = $1', [commandId]);
    expect(command.rows[0].processed_at).not.toBeNull();
    expect(command.rows[0].alert_id).toBe(first.alert.id);
    expect((await verifyChain(db.pool)).broken).toBeNull();
  });
});
