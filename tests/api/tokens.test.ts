import http from 'node:http';
import { STREAM_CLOSE_UNAUTHORIZED } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/processes.js';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import { auditOf, login, movableClock, seedStaff } from './auth-helpers.js';
import { startApiFixture, type ApiFixture } from './fixture.js';

const REVOKED = { code: STREAM_CLOSE_UNAUTHORIZED, reason: 'the token was revoked or has expired' };
const inDays = (clock: { now(): number }, days: number) => new Date(clock.now() + days * 86_400_000).toISOString();

/**
 * Tokens through the api and the CLI, revocation and disabling taking effect at once. The token cache is long and the
 * heartbeat (whose periodic re-check is only a safety net) longer than any test, so what closes a stream here is the
 * revocation itself.
 */
describe('api tokens and revocation', () => {
  let fx: ApiFixture;
  const clock = movableClock();
  const open: StreamClient[] = [];
  const stream = async (token: string) => {
    const client = await connectStream(fx.api.url, { token });
    open.push(client);
    await client.next('snapshot');
    return client;
  };

  beforeAll(async () => {
    fx = await startApiFixture({ clock, tokenCacheMs: 600_000, heartbeatMs: 600_000 });
    await seedStaff(fx);
  });
  afterAll(async () => {
    for (const client of open) client.close();
    await fx?.close();
  });

  it('creates an expiring token, lists it without its value, revokes it: REST and stream refused at once', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const created = await fx.call(officer, '/api/v1/tokens', {
      method: 'POST',
      body: JSON.stringify({
        role: 'display',
        facility: 'f1',
        label: '护士站 night desk',
        expiresAt: inDays(clock, 30),
      }),
    });
    expect(created.status).toBe(201);
    const { token, id } = created.body;
    expect((await fx.call(token, '/api/v1/alerts')).status).toBe(200); // now cached for ten minutes
    const display = await stream(token);
    const listed = await fx.call(officer, '/api/v1/tokens');
    expect(listed.body.tokens.find((t: { id: string }) => t.id === id)).toMatchObject({
      kind: 'token',
      role: 'display',
      label: '护士站 night desk',
      createdBy: 'liming',
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const revoked = await fx.call(officer, `/api/v1/tokens/${id}`, { method: 'DELETE' });
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await fx.call(token, '/api/v1/alerts')).body.error.code).toBe('VIGIL_ERR_API_UNAUTHENTICATED');
    expect(await display.closed).toEqual(REVOKED);
    const audit = await auditOf(fx, { target: `token:${id}` });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['token.revoked', 'liming'],
      ['token.created', 'liming'],
    ]);
  });

  it('keeps token management in scope: officers their facility, other roles not at all, expiry required', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const caregiver = (await login(fx, 'wangfang')).body.token;
    const create = (as: string, body: object) =>
      fx.call(as, '/api/v1/tokens', { method: 'POST', body: JSON.stringify({ expiresAt: inDays(clock, 1), ...body }) });
    expect((await create(officer, { role: 'display', facility: 'f2' })).status).toBe(404);
    expect((await create(officer, { role: 'admin' })).status).toBe(403);
    expect((await create(officer, { role: 'display', facility: 'f1', user: 'zhangwei' })).status).toBe(404);
    expect((await create(caregiver, { role: 'display', facility: 'f1' })).status).toBe(403);
    const noExpiry = await fx.call(officer, '/api/v1/tokens', {
      method: 'POST',
      body: '{"role":"display","facility":"f1"}',
    });
    expect(noExpiry.body.error).toMatchObject({
      code: 'VIGIL_ERR_API_VALIDATION',
      message: expect.stringContaining('body/expiresAt'),
    });
    expect((await create(officer, { role: 'display', facility: 'f1', expiresAt: inDays(clock, 400) })).status).toBe(
      400,
    );
    const { tokens } = (await fx.call(fx.tokens.admin, '/api/v1/tokens')).body;
    const other = tokens.find((t: { facility: string }) => t.facility === 'f3');
    expect((await fx.call(officer, `/api/v1/tokens/${other.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(
      (await fx.call(officer, '/api/v1/tokens')).body.tokens.every((t: { facility: string }) => t.facility === 'f1'),
    ).toBe(true);
  });

  it('refuses an expired session at once, though its token is cached', async () => {
    const { token, expiresAt } = (await login(fx, 'zhaolei')).body;
    expect((await fx.call(token, '/api/v1/auth/me')).status).toBe(200);
    const saved = clock.offsetMs;
    clock.offsetMs += Date.parse(expiresAt) - clock.now() + 1;
    expect((await fx.call(token, '/api/v1/auth/me')).status).toBe(401);
    clock.offsetMs = saved;
  });

  it('disables a user: their sessions are refused at once and their stream closes', async () => {
    const officer = (await login(fx, 'liming')).body.token;
    const session = (await login(fx, 'zhaolei')).body.token;
    const watching = await stream(session);
    const disabled = await fx.call(officer, '/api/v1/users/zhaolei/disable', { method: 'POST' });
    expect(disabled.body).toMatchObject({ id: 'zhaolei', name: '赵磊', disabledAt: expect.any(String) });
    expect((await fx.call(session, '/api/v1/auth/me')).status).toBe(401);
    expect(await watching.closed).toEqual(REVOKED);
    expect((await login(fx, 'zhaolei')).body.error.code).toBe('VIGIL_ERR_AUTH_INVALID_CREDENTIALS');
    expect((await fx.call(officer, '/api/v1/users/zhangwei/disable', { method: 'POST' })).status).toBe(404);
    expect((await auditOf(fx, { action: 'user.disabled' }))[0]).toMatchObject({
      actor: 'liming',
      target: 'user:zhaolei',
    });
  });

  it('adds a user with --password-stdin, lists and revokes tokens by the CLI, seen by the api at once', async () => {
    const env = { DATABASE_URL: fx.db.url };
    await vigil(
      ['user', 'add', '--id', 'sunli', '--name', '孙丽', '--role', 'caregiver', '--facility', 'f1', '--password-stdin'],
      env,
      'sunli的密码 1234\n',
    );
    const signedIn = await login(fx, 'sunli', 'sunli的密码 1234');
    expect(signedIn.body.user).toMatchObject({ name: '孙丽', hasPassword: true });
    const { token } = signedIn.body;
    const watching = await stream(token);
    const listed = JSON.parse(await vigil(['token', 'list', '--user', 'sunli', '--json'], env));
    expect(listed).toMatchObject([
      { kind: 'session', role: 'caregiver', user: 'sunli', facility: 'f1', revokedAt: null },
    ]);
    expect((await fx.call(token, '/api/v1/auth/me')).status).toBe(200); // cached from here on
    await vigil(['token', 'revoke', listed[0].id], env);
    expect((await fx.call(token, '/api/v1/auth/me')).status).toBe(401);
    expect(await watching.closed).toEqual(REVOKED);
    expect(await vigil(['token', 'list', '--user', 'sunli', '--json'], env)).toBe('[]\n');
    expect((await auditOf(fx, { target: `token:${listed[0].id}` }))[0]).toMatchObject({
      action: 'token.revoked',
      actor: 'cli',
    });
  });

  it('sends security headers and rate-limits writes', async () => {
    const response = await fetch(`${fx.api.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":"x","password":"y"}',
    });
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).toContain(`connect-src 'self' ${fx.api.url.replace('http', 'ws')}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-ratelimit-limit')).toBe('120');
    const read = await fetch(`${fx.api.url}/healthz`);
    expect(read.headers.get('x-ratelimit-limit')).toBeNull();
    // The CSP is kept per Host: another name for the api gets its own stream origin, not the first one's.
    const { port } = new URL(fx.api.url);
    const other = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port, path: '/healthz', headers: { host: `localhost:${port}` } }, resolve)
        .on('error', reject),
    );
    other.resume();
    expect(other.headers['content-security-policy']).toContain(`connect-src 'self' ws://localhost:${port}`);
    expect(other.headers['x-frame-options']).toBe('SAMEORIGIN');
    // A Host that would add a directive to the CSP gets none of its own: connect-src 'self' alone.
    const injected = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port, path: '/healthz', headers: { host: 'x; script-src *' } }, resolve)
        .on('error', reject),
    );
    injected.resume();
    expect(injected.statusCode).toBe(200);
    expect(injected.headers['content-security-policy']).toMatch(/connect-src 'self'(;|$)/);
    expect(injected.headers['content-security-policy']).not.toContain('script-src *');
    expect(injected.headers['x-content-type-options']).toBe('nosniff');
    // A header the route sets replaces ours, never joins it: the web pages' own CSP, once.
    const page = await fetch(`${fx.api.url}/display`);
    expect(page.headers.get('content-security-policy')).toMatch(
      /^default-src 'self'; connect-src 'self' ws: wss:;[^,]*$/,
    );
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('answers 429 with Retry-After beyond 120 writes a minute from one address (last: it uses the quota up)', async () => {
    const attempt = () =>
      fetch(`${fx.api.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username":"flood","password":"flooding123"}',
      });
    for (let i = 0; i < 120; i++) expect((await attempt()).status).not.toBe(200);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: 'VIGIL_ERR_AUTH_RATE_LIMITED' } });
  });
});

describe('api stream expiry', () => {
  let fx: ApiFixture;
  const clock = movableClock();

  beforeAll(async () => {
    fx = await startApiFixture({ clock, heartbeatMs: 200 });
    await seedStaff(fx);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('closes a stream whose session expired at the next heartbeat', async () => {
    const { token, expiresAt } = (await login(fx, 'wangfang')).body;
    const client = await connectStream(fx.api.url, { token });
    await client.next('heartbeat');
    clock.offsetMs += Date.parse(expiresAt) - clock.now() + 1;
    expect(await client.closed).toEqual({ code: STREAM_CLOSE_UNAUTHORIZED, reason: 'the token has expired' });
  });

  it('accepts the session cookie instead of a token in the hello, from our own Origin only', async () => {
    const { cookie } = await login(fx, 'wangfang');
    const { default: WebSocket } = await import('ws');
    const open = (origin: string) =>
      new Promise<{ first: string | null; code: number | null }>((resolve) => {
        const socket = new WebSocket(`${fx.api.url.replace('http', 'ws')}/api/v1/stream`, {
          headers: { cookie, origin },
        });
        let first: string | null = null;
        socket.on('open', () => socket.send('{"type":"hello"}'));
        socket.on('message', (data) => {
          first ??= JSON.parse(data.toString()).type;
          socket.close();
        });
        socket.on('close', (code) => resolve({ first, code }));
      });
    expect((await open(fx.api.url)).first).toBe('snapshot');
    expect(await open('https://evil.example')).toEqual({ first: null, code: STREAM_CLOSE_UNAUTHORIZED });
  });
});
