import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf, capturedLogger, login, movableClock, passwordOf, seedStaff } from './auth-helpers.js';
import { startApiFixture, type ApiFixture } from './fixture.js';

/** Sign-in, the session cookie and its Origin check, the lockout, own password change and scoped resets. */
describe('api sign-in', () => {
  let fx: ApiFixture;
  const clock = movableClock();
  const log = capturedLogger();

  beforeAll(async () => {
    fx = await startApiFixture({ clock, logger: log.logger, tokenCacheMs: 60_000 });
    await seedStaff(fx);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('signs in with a password: a session token, an HttpOnly SameSite=Strict cookie, audited', async () => {
    const { status, body, setCookie } = await login(fx, 'wangfang');
    expect(status).toBe(200);
    expect(body.user).toMatchObject({ id: 'wangfang', name: '王芳', role: 'caregiver', facility: 'f1' });
    expect(Date.parse(body.expiresAt) - clock.now()).toBeGreaterThan(11 * 3600_000);
    expect(setCookie).toMatch(/^vigil_session=vgl_[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain('Secure'); // plain http here; Secure when served over TLS
    const me = await fx.call(body.token, '/api/v1/auth/me');
    expect(me.body).toMatchObject({ role: 'caregiver', facility: 'f1', kind: 'session', via: 'bearer' });
    expect(me.body.user.name).toBe('王芳');
    const [entry] = await auditOf(fx, { action: 'auth.login', target: 'user:wangfang' });
    expect(entry).toMatchObject({ actor: 'wangfang', details: { address: expect.any(String) } });
  });

  it('refuses a wrong password and an unknown user alike, and validates the body', async () => {
    const wrong = await login(fx, 'zhaolei', 'not her password');
    const unknown = await login(fx, 'nobody', 'whatever123');
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('VIGIL_ERR_AUTH_INVALID_CREDENTIALS');
    const bad = await fx.call(null, '/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username: 'x' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'VIGIL_ERR_API_VALIDATION',
      message: expect.stringContaining('body/password'),
    });
    const failed = await auditOf(fx, { action: 'auth.login_failed', target: 'user:zhaolei' });
    expect(failed[0]!.details).toEqual({ address: expect.any(String), reason: 'wrong password' });
    expect(JSON.stringify(failed)).not.toContain('not her password');
  });

  it('accepts the cookie on reads, and on writes only with our own Origin; bearer tokens need none', async () => {
    const { cookie, body } = await login(fx, 'zhaolei');
    const read = await fetch(`${fx.api.url}/api/v1/auth/me`, { headers: { cookie } });
    expect(await read.json()).toMatchObject({ actor: 'zhaolei', via: 'cookie' });
    const logout = (headers: Record<string, string>) =>
      fetch(`${fx.api.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, ...headers } });
    for (const headers of [{}, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      const refused = await logout(headers);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'VIGIL_ERR_AUTH_ORIGIN' } });
    }
    const ok = await logout({ origin: fx.api.url });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(
      /^vigil_session=; Max-Age=0; Path=\/; Expires=.*; HttpOnly; SameSite=Strict/,
    );
    expect((await fetch(`${fx.api.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(401);
    expect((await fx.call(body.token, '/api/v1/auth/me')).status).toBe(401);
    expect((await auditOf(fx, { action: 'auth.logout' }))[0]).toMatchObject({ actor: 'zhaolei' });
    const foreign = await fetch(`${fx.api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ username: 'zhaolei', password: passwordOf('zhaolei') }),
    });
    expect(foreign.status).toBe(403); // a foreign page may not sign a browser in either
    // A bearer token is never sent by a browser on its own: no Origin needed.
    const program = await login(fx, 'zhaolei');
    expect((await fx.call(program.body.token, '/api/v1/auth/logout', { method: 'POST' })).status).toBe(200);
  });

  it('changes one’s own password with the old one and signs out the other sessions', async () => {
    const here = (await login(fx, 'zhangwei')).body.token;
    const elsewhere = (await login(fx, 'zhangwei')).body.token;
    const change = (oldPassword: string) =>
      fx.call(here, '/api/v1/auth/password', {
        method: 'POST',
        body: JSON.stringify({ oldPassword, newPassword: 'a much longer secret' }),
      });
    expect((await change('wrong old one')).body.error.code).toBe('VIGIL_ERR_AUTH_WRONG_PASSWORD');
    expect((await change(passwordOf('zhangwei'))).body).toEqual({ signedOut: 1 });
    expect((await fx.call(elsewhere, '/api/v1/auth/me')).status).toBe(401);
    expect((await fx.call(here, '/api/v1/auth/me')).status).toBe(200);
    expect((await login(fx, 'zhangwei')).status).toBe(401);
    expect((await login(fx, 'zhangwei', 'a much longer secret')).status).toBe(200);
    expect(
      (
        await fx.call(fx.tokens.display, '/api/v1/auth/password', {
          method: 'POST',
          body: '{"oldPassword":"x","newPassword":"yyyyyyyyyyyy"}',
        })
      ).body.error.code,
    ).toBe('VIGIL_ERR_AUTH_NO_USER');
  });

  it('lets an officer reset passwords in their own facility only, and an admin anywhere', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const caregiver = (await login(fx, 'wangfang')).body.token;
    const reset = (token: string, user: string) =>
      fx.call(token, `/api/v1/users/${user}/password`, { method: 'POST', body: '{"password":"reset by someone"}' });
    const notFound = { error: { code: 'VIGIL_ERR_API_NOT_FOUND', message: 'user zhangwei not found' } };
    expect((await reset(officer, 'zhangwei')).body).toEqual(notFound); // another facility: as if absent
    expect((await reset(officer, 'nobody')).body.error.message).toBe('user nobody not found');
    expect((await reset(officer, 'chenjing')).body.error.message).toBe('user chenjing not found'); // an admin
    expect((await reset(caregiver, 'zhaolei')).body.error.code).toBe('VIGIL_ERR_API_FORBIDDEN');
    expect((await reset(officer, 'wangfang')).body).toEqual({ signedOut: 2 }); // this session and the first test's
    expect((await fx.call(caregiver, '/api/v1/auth/me')).status).toBe(401); // her sessions ended with the reset
    expect((await login(fx, 'wangfang', 'reset by someone')).status).toBe(200);
    const admin = (await login(fx, 'chenjing')).body.token;
    expect((await reset(admin, 'zhangwei')).status).toBe(200);
    const audited = await auditOf(fx, { action: 'auth.password_reset' });
    expect(audited.map((a) => [a.actor, a.target])).toEqual([
      ['chenjing', 'user:zhangwei'],
      ['liming', 'user:wangfang'],
    ]);
  });

  it('lets an officer add staff of their own facility, who can then sign in', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const add = (body: object) => fx.call(officer, '/api/v1/users', { method: 'POST', body: JSON.stringify(body) });
    const added = await add({
      id: 'liuyang',
      name: '刘洋',
      role: 'caregiver',
      facility: 'f1',
      password: '刘洋的新密码abc123',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'liuyang', name: '刘洋', hasPassword: true, disabledAt: null });
    expect((await login(fx, 'liuyang', '刘洋的新密码abc123')).status).toBe(200);
    expect((await add({ id: 'x1', name: 'X', role: 'caregiver', facility: 'f2' })).status).toBe(404);
    expect((await add({ id: 'x2', name: 'X', role: 'admin' })).status).toBe(403);
    const invalid = await add({ id: 'x3', name: 'X', role: 'caregiver', facility: 'f1', password: 'short' });
    expect(invalid.body.error).toMatchObject({
      code: 'VIGIL_ERR_API_VALIDATION',
      message: expect.stringContaining('password'),
    });
    const listed = (await fx.call(officer, '/api/v1/users')).body.users.map((u: { id: string }) => u.id);
    expect(listed).toEqual(['liming', 'liuyang', 'wangfang', 'zhaolei']);
    expect((await auditOf(fx, { action: 'user.created' }))[0]).toMatchObject({
      actor: 'liming',
      target: 'user:liuyang',
    });
  });

  it('documents every sign-in, user and token operation in OpenAPI; the sign-in needs no credentials', async () => {
    const { body } = await fx.call(null, '/api/v1/openapi.json');
    const ours = Object.entries(body.paths as Record<string, Record<string, Record<string, unknown>>>)
      .filter(([path]) => /^\/api\/v1\/(auth|users|tokens)/.test(path))
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, op]) => ({ path, method, operationId: op.operationId, ...op })),
      );
    expect(ours.map((op) => op.operationId).sort()).toEqual(
      [
        'changeOwnPassword',
        'createToken',
        'createUser',
        'disableUser',
        'enableUser',
        'getSignedInUser',
        'getUser',
        'listTokens',
        'listUsers',
        'login',
        'logout',
        'resetUserPassword',
        'revokeToken',
        'setUserRole',
      ].sort(),
    );
    for (const op of ours) expect(op).toMatchObject({ tags: [expect.any(String)], description: expect.any(String) });
    // Every operation but the sign-in declares its action for the role check (scope.ts PERMISSIONS).
    for (const op of ours.filter((o) => o.operationId !== 'login')) expect(op).toHaveProperty('x-vigil-action');
    expect(body.paths['/api/v1/auth/login'].post).toMatchObject({
      'x-vigil-public': true,
      security: [],
      responses: { 429: expect.anything() },
    });
    expect(body.paths['/api/v1/users/{user}/disable'].post.responses).toHaveProperty('404');
  });

  it('locks a username out after 5 failures (429, Retry-After), others unaffected, until the window ends', async () => {
    for (let i = 0; i < 5; i++) expect((await login(fx, 'zhaolei', `guess ${i}`)).status).toBe(401);
    const locked = await login(fx, 'zhaolei'); // even the right password
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('VIGIL_ERR_AUTH_LOCKED');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect((await login(fx, 'liming')).status).toBe(200); // same address, another user
    expect(log.text()).toContain('"username":"zhaolei"');
    expect(log.text()).toContain('sign-in locked out after repeated failures');
    expect(log.text()).not.toMatch(/guess \d|zhaolei-password/);
    clock.offsetMs += retryAfter * 1000;
    expect((await login(fx, 'zhaolei')).status).toBe(200);
  });

  it('locks an address out after 20 failures whatever the usernames', async () => {
    clock.offsetMs += 16 * 60_000; // a fresh window
    for (let i = 0; i < 20; i++) expect((await login(fx, `stranger${i}`, 'password123')).status).toBe(401);
    const locked = await login(fx, 'liming');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.offsetMs += 15 * 60_000;
    expect((await login(fx, 'liming')).status).toBe(200);
  });
});
