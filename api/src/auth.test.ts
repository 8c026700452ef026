import type { Clock, Pool } from '@vigil/core';
import type { Principal } from '@vigil/store';
import { describe, expect, it } from 'vitest';
import { TokenResolver } from './auth.js';

const carol: Principal = {
  tokenId: 't1',
  role: 'caregiver',
  facility: 'f1',
  region: null,
  user: null,
  actor: 'carol',
};

/** A pool whose answers the test scripts: a row list, or a connection error while "the database is down". */
function scriptedPool(rows: object[] = [carol]) {
  const state = { down: false, rows, queries: 0 };
  const pool = {
    query: async () => {
      state.queries++;
      if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return { rows: state.rows };
    },
  };
  return { state, pool: pool as unknown as Pool };
}

describe('TokenResolver', () => {
  it('caches a token briefly, then looks it up again (revocation takes effect)', async () => {
    const { state, pool } = scriptedPool();
    const clock: Clock & { t: number } = { t: 0, now: () => clock.t };
    const tokens = new TokenResolver(pool, clock, 10_000);
    expect(await tokens.resolve('a')).toEqual(carol);
    clock.t = 9_999;
    expect(await tokens.resolve('a')).toEqual(carol);
    expect(state.queries).toBe(1);
    state.rows = [];
    clock.t = 10_000;
    expect(await tokens.resolve('a')).toBeNull();
    expect(state.queries).toBe(2);
  });

  it('keeps honouring a known token while the database is down, and refuses unknown ones with 503', async () => {
    const { state, pool } = scriptedPool();
    const clock: Clock & { t: number } = { t: 0, now: () => clock.t };
    const tokens = new TokenResolver(pool, clock, 10_000);
    await tokens.resolve('a');
    state.down = true;
    clock.t = 60_000;
    expect(await tokens.resolve('a')).toEqual(carol);
    await expect(tokens.resolve('b')).rejects.toMatchObject({ code: 'VIGIL_ERR_DB_UNAVAILABLE', status: 503 });
  });

  it('refuses a cached token once it has expired, even while the database is down', async () => {
    const { state, pool } = scriptedPool([{ ...carol, kind: 'session', expiresAt: new Date(5_000) }]);
    const clock: Clock & { t: number } = { t: 0, now: () => clock.t };
    const tokens = new TokenResolver(pool, clock, 10_000);
    expect(await tokens.resolve('a')).toEqual(carol);
    state.down = true;
    clock.t = 4_999;
    expect(await tokens.resolve('a')).toEqual(carol);
    clock.t = 5_000;
    expect(await tokens.resolve('a')).toBeNull();
    expect(state.queries).toBe(1);
  });

  it('forgets revoked principals at once and tells the listeners which ones', async () => {
    const { state, pool } = scriptedPool();
    const clock: Clock & { t: number } = { t: 0, now: () => clock.t };
    const tokens = new TokenResolver(pool, clock, 10_000);
    await tokens.resolve('a');
    const told: boolean[] = [];
    tokens.onForget((concerns) => told.push(concerns(carol)));
    state.rows = [];
    tokens.forget((p) => p.user === 'someone else');
    expect(await tokens.resolve('a')).toEqual(carol); // still cached: not concerned
    tokens.forget((p) => p.tokenId === 't1');
    expect(await tokens.resolve('a')).toBeNull();
    expect(told).toEqual([false, true]);
  });
});
