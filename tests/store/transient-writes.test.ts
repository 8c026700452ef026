import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, silentLogger, type Pool } from '@vigil/core';
import { verifyChain } from '@vigil/alerts';
import { AlertBook } from '../../alerts/src/alert-book.js';
import { EventLog, type Appended } from '../../alerts/src/event-log.js';
import { createAlertsMetrics } from '../../alerts/src/metrics.js';
import { AlertStore } from '../../alerts/src/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/processes.js';
import { seedFacility } from '../alerts/harness.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');

/**
 * A statement trigger on alert_events that fails the next writes while armed: with the given SQLSTATE, or (code
 * 'terminate') by terminating its own backend, which the client sees as a real 57P01 and a closed connection.
 * The budget is a sequence, so the failures' rollbacks do not undo it.
 */
const FAULTS = `
  CREATE SEQUENCE fault_attempts;
  CREATE TABLE fault_plan (code text, failures bigint NOT NULL DEFAULT 0);
  INSERT INTO fault_plan VALUES (NULL, 0);
  CREATE FUNCTION inject_fault() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE plan record;
  BEGIN
    SELECT code, failures INTO plan FROM fault_plan;
    IF plan.code IS NOT NULL AND nextval('fault_attempts') <= plan.failures THEN
      IF plan.code = 'terminate' THEN
        PERFORM pg_terminate_backend(pg_backend_pid());
        PERFORM pg_sleep(5);
      END IF;
      RAISE EXCEPTION 'injected fault %', plan.code USING ERRCODE = plan.code;
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER inject_fault BEFORE INSERT ON alert_events FOR EACH STATEMENT EXECUTE FUNCTION inject_fault();`;

describe('the alerts writer under every transient error (real TimescaleDB)', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let pool: Pool;
  let store: AlertStore;
  let log: EventLog;
  const book = new AlertBook({ updateIntervalMs: 30_000 });
  let raised = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFacility(db.pool, 'f1');
    await db.pool.query(FAULTS);
    proxy = await startFaultProxy(db.url);
    // One connection, as scarce as in production under a registry load: a held client makes checkout time out.
    pool = createPool(proxy.url, silentLogger(), { max: 1, connectionTimeoutMillis: 300 });
    const metrics = createAlertsMetrics(new Registry());
    store = new AlertStore(pool, silentLogger(), metrics);
    // The disk backlog is beside the point here: the database writer alone must store every event once, in order.
    const backlog = { add: async () => {}, remove: () => {} };
    log = new EventLog({ lastEventIds: new Map(), lastHashes: new Map() }, store, backlog, () => {}, {
      durableWaitMs: 150,
      log: silentLogger(),
      metrics,
    });
  });
  afterAll(async () => {
    await store?.drain(1_000);
    await pool?.end();
    await proxy?.close();
    await db?.drop();
  });

  /** Raises `n` alerts on distinct subjects (a new chain link each). */
  function raise(n: number): Appended[] {
    return Array.from({ length: n }, () => {
      const i = ++raised;
      const transition = book.raise(
        'f1',
        {
          action: 'raise',
          rule: 'fall',
          subject: `resident:r${i}`,
          priority: 'critical',
          detail: 'fall detected',
          resident: 'r1',
          device: 'wb-1',
          location: 'room-1',
          occurredAt: T0 + i * 1000,
        },
        T0 + i * 1000,
      )!;
      return log.append(transition);
    });
  }

  async function expectStoredOnceInOrder(appended: Appended[]): Promise<void> {
    expect(await Promise.all(appended.map((a) => a.stored))).toEqual(appended.map(() => true));
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM alert_events ORDER BY id');
    expect(rows.map((r) => Number(r.id))).toEqual(Array.from({ length: raised }, (_, i) => i + 1));
    expect((await verifyChain(db.pool)).broken).toBeNull();
    const dead = await db.pool.query('SELECT count(*)::int AS n FROM dead_letters');
    expect(dead.rows[0].n).toBe(0);
  }

  async function arm(code: string, failures: number): Promise<void> {
    await db.pool.query(`SELECT setval('fault_attempts', 1, false)`);
    await db.pool.query('UPDATE fault_plan SET code = $1, failures = $2', [code, failures]);
  }

  const attempts = async () =>
    Number((await db.pool.query(`SELECT last_value, is_called FROM fault_attempts`)).rows[0].last_value);

  it.each([
    ['57P01 (admin shutdown: its backend terminated)', 'terminate'],
    ['53300 (too many connections)', '53300'],
    ['40001 (serialisation failure)', '40001'],
    ['40P01 (deadlock)', '40P01'],
  ])('%s: retried in order, every event stored once, the chain verifies', async (_name, code) => {
    await arm(code, 3);
    const appended = raise(5);
    await waitFor('three failed attempts', async () => (await attempts()) >= 3, 20_000);
    await expectStoredOnceInOrder(appended);
    expect(await attempts()).toBeGreaterThanOrEqual(4); // the fourth attempt passed the trigger
  });

  it('pool checkout timeout: retried until the connection is free again', async () => {
    await arm('', 0);
    const held = await pool.connect();
    const appended = raise(5);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // > connectionTimeoutMillis, several attempts
    expect(store.backlog).toBe(5);
    held.release();
    await expectStoredOnceInOrder(appended);
  });

  it('connection reset: retried on a new connection', async () => {
    await pool.query('SELECT 1'); // a connection in the pool, past its start-up, for the reset to hit
    proxy.resetNext(2);
    const appended = raise(5);
    await expectStoredOnceInOrder(appended);
    expect(proxy.pendingResets()).toBe(0);
  });

  it('a rejected event is dead-lettered with the reason; the ones around it are stored', async () => {
    const before = raise(2);
    // An alert of an unknown facility violates the foreign key: rejected for good, whatever the retry.
    const ghost = log.append(
      book.raise(
        'ghost',
        {
          action: 'raise',
          rule: 'sos',
          subject: 'resident:x',
          priority: 'critical',
          detail: 'sos',
          resident: null,
          device: null,
          location: null,
          occurredAt: T0,
        },
        T0,
      )!,
    );
    const after = raise(2);
    expect(await ghost.stored).toBe(false);
    expect(await Promise.all([...before, ...after].map((a) => a.stored))).toEqual([true, true, true, true]);
    const { rows } = await db.pool.query<{ topic: string; facility_id: string; reason: string; payload: Buffer }>(
      'SELECT topic, facility_id, reason, payload FROM dead_letters',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.facility_id).toBe('ghost');
    expect(rows[0]!.reason).toMatch(/23503/);
    expect(JSON.parse(rows[0]!.payload.toString()).eventId).toBe(ghost.event.eventId);
    expect((await verifyChain(db.pool)).broken).toBeNull(); // f1's chain is intact around the refusal
  });
});
