import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/processes.js';
import { auditOf, login, passwordOf, seedStaff } from './auth-helpers.js';
import { startApiFixture, type ApiFixture } from './fixture.js';

/** Re-enabling users and changing roles (api and CLI), `vigil user list`, and client addresses behind a proxy. */
describe('api accounts: enable, role, list, trusted proxies', () => {
  let fx: ApiFixture;
  beforeAll(async () => {
    // 127.0.0.1 is this test's "reverse proxy": its X-Forwarded-For is believed.
    fx = await startApiFixture({ trustedProxies: ['127.0.0.1'] });
    await seedStaff(fx);
  });
  afterAll(async () => fx?.close());

  it('enables a disabled user: they sign in again, the sessions they held before stay revoked', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const old = (await login(fx, 'zhaolei')).body.token;
    expect((await fx.call(officer, '/api/v1/users/zhaolei/disable', { method: 'POST' })).status).toBe(200);
    expect((await login(fx, 'zhaolei')).status).toBe(401);
    const enabled = await fx.call(officer, '/api/v1/users/zhaolei/enable', { method: 'POST' });
    expect(enabled).toMatchObject({ status: 200, body: { id: 'zhaolei', disabledAt: null } });
    expect((await fx.call(old, '/api/v1/auth/me')).status).toBe(401);
    expect((await login(fx, 'zhaolei')).status).toBe(200);
    // Not disabled: 409 and no audit entry; another facility's user: 404; a caregiver may not: 403.
    const again = await fx.call(officer, '/api/v1/users/zhaolei/enable', { method: 'POST' });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'VIGIL_ERR_REGISTRY_CONFLICT' } } });
    expect((await fx.call(officer, '/api/v1/users/zhangwei/enable', { method: 'POST' })).status).toBe(404);
    expect((await fx.call(fx.tokens.caregiver, '/api/v1/users/zhaolei/enable', { method: 'POST' })).status).toBe(403);
    const entries = await auditOf(fx, { action: 'user.enabled' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'liming', target: 'user:zhaolei', facility: 'f1' });
  });

  it('signs in without a cookie on request (a caregiver at a shared display): the token alone', async () => {
    const response = await fetch(`${fx.api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhaolei', password: passwordOf('zhaolei'), cookie: false }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    const { token } = (await response.json()) as { token: string };
    expect((await fx.call(token, '/api/v1/auth/me')).body).toMatchObject({ actor: 'zhaolei', via: 'bearer' });
    expect((await login(fx, 'zhaolei')).setCookie).toContain('vigil_session=');
  });

  it('changes a caregiver into an officer: their tokens are revoked, the new role applies at the next sign-in', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const before = (await login(fx, 'wangfang')).body.token;
    const changed = await fx.call(officer, '/api/v1/users/wangfang/role', {
      method: 'PUT',
      body: JSON.stringify({ role: 'safety-officer' }),
    });
    expect(changed).toMatchObject({ status: 200, body: { role: 'safety-officer' } });
    expect((await fx.call(before, '/api/v1/auth/me')).status).toBe(401);
    const after = (await login(fx, 'wangfang')).body.token;
    expect((await fx.call(after, '/api/v1/auth/me')).body.role).toBe('safety-officer');
    const bad = await fx.call(officer, '/api/v1/users/wangfang/role', {
      method: 'PUT',
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('body/role');
    expect((await auditOf(fx, { action: 'user.role_changed' }))[0]).toMatchObject({
      actor: 'liming',
      target: 'user:wangfang',
      details: { from: 'caregiver', to: 'safety-officer' },
    });
  });

  it('enables and lists users by the CLI (table and --json), audited as the CLI', async () => {
    const env = { DATABASE_URL: fx.db.url };
    await vigil(['user', 'disable', 'zhangwei'], env);
    const listed = JSON.parse(await vigil(['user', 'list', '--json'], env));
    expect(listed.find((u: { id: string }) => u.id === 'zhangwei')).toMatchObject({
      name: '张伟',
      role: 'caregiver',
      facility: 'f2',
      disabledAt: expect.any(String),
      hasPassword: true,
    });
    expect(listed.every((u: Record<string, unknown>) => !('passwordHash' in u))).toBe(true);
    await vigil(['user', 'enable', 'zhangwei'], env);
    expect((await login(fx, 'zhangwei')).status).toBe(200);
    const table = (await vigil(['user', 'list'], env)).trimEnd().split('\n');
    expect(table[0]).toMatch(/^ID\s+NAME\s+ROLE\s+SCOPE\s+STATUS\s+PASSWORD$/);
    const row = table.find((line) => line.startsWith('zhangwei'))!;
    expect(row.split(/\s{2,}/)).toEqual(['zhangwei', '张伟', 'caregiver', 'f2', 'enabled', 'yes']);
    // Columns line up: ROLE starts at the same terminal column in every row (a Chinese name is two columns wide).
    const column = (line: string) => [...line.slice(0, line.search(/caregiver|safety-officer|admin|ROLE/))].length;
    const width = (line: string) => column(line) + [...line.slice(0, column(line))].filter((c) => c > '\u1100').length;
    expect(new Set(table.map(width)).size).toBe(1);
    await expect(vigil(['user', 'enable', 'zhangwei'], env)).rejects.toThrow(/not found or not disabled/);
    expect((await auditOf(fx, { action: 'user.enabled', target: 'user:zhangwei' }))[0]).toMatchObject({
      actor: 'cli',
      facility: 'f2',
    });
  });

  it('counts sign-in failures per forwarded client address when the peer is a trusted proxy', async () => {
    const attempt = (address: string, username: string, password = 'wrong password!') =>
      fetch(`${fx.api.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ username, password }),
      });
    // 20 failures from one address behind the proxy lock that address out, whatever the usernames …
    for (let i = 0; i < 20; i++) expect((await attempt('203.0.113.7', `nobody-${i}`)).status).toBe(401);
    const locked = await attempt('203.0.113.7', 'liming', passwordOf('liming'));
    expect(locked.status).toBe(429);
    // … while another client behind the same proxy signs in.
    expect((await attempt('203.0.113.8', 'liming', passwordOf('liming'))).status).toBe(200);
    const failed = await auditOf(fx, { action: 'auth.login_failed' });
    expect(failed[0]!.details).toMatchObject({ address: '203.0.113.7' });
  });
});

describe('api without trusted proxies', () => {
  let fx: ApiFixture;
  beforeAll(async () => (fx = await startApiFixture()));
  afterAll(async () => fx?.close());

  it('ignores X-Forwarded-For: the address is the TCP peer', async () => {
    const response = await fetch(`${fx.api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' },
      body: JSON.stringify({ username: 'nobody', password: 'wrong password!' }),
    });
    expect(response.status).toBe(401);
    expect((await auditOf(fx, { action: 'auth.login_failed' }))[0]!.details).toMatchObject({ address: '127.0.0.1' });
  });
});
