import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { silentLogger } from '@vigil/core';
import { AlertBook } from './alert-book.js';
import { fallIntent } from './rules/test-kit.js';
import { UnseenWatch } from './unseen.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A pool whose answers the test decides: down (throws like a lost connection) or the receipts' verdict. */
function fakePool() {
  const pool = {
    down: true,
    shown: false,
    asked: 0,
    async query(_sql: string, params: unknown[]) {
      pool.asked += 1;
      if (pool.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const ids = params[0] as string[];
      return { rows: ids.map((id) => ({ id, shown: pool.shown, escalated: false })) };
    },
  };
  return pool;
}

function setup() {
  const book = new AlertBook({ updateIntervalMs: 30_000 });
  const { alert } = book.raise('f1', fallIntent(T0), T0)!;
  const pool = fakePool();
  const clock = { now: () => T0 + 11_000 };
  const escalated: string[][] = [];
  const watch = new UnseenWatch(pool as unknown as pg.Pool, book, (ids) => (escalated.push(ids), []), {
    afterMs: 10_000,
    clock,
    log: silentLogger(),
  });
  return { alert, pool, watch, escalated };
}

describe('UnseenWatch (docs/alerts.md "Receipts")', () => {
  it('waits for the database without escalating, then lets the receipts decide', async () => {
    const { alert, pool, watch, escalated } = setup();
    watch.check();
    await settle();
    watch.check();
    await settle();
    expect(pool.asked).toBe(2); // asked again on every tick while the database is away
    expect(escalated).toEqual([]);
    pool.down = false;
    watch.check();
    await settle();
    expect(escalated).toEqual([[alert.id]]);
  });

  it('never escalates an alert a display showed in time, and asks about it only once', async () => {
    const { pool, watch, escalated } = setup();
    pool.down = false;
    pool.shown = true;
    watch.check();
    await settle();
    watch.check();
    await settle();
    expect(escalated).toEqual([]);
    expect(pool.asked).toBe(1);
  });
});
