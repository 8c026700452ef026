import { Writable } from 'node:stream';
import { createLogger } from '@vigil/core';
import { addUser } from '@vigil/store';
import type { ApiFixture } from './fixture.js';

/** Demo staff (Chinese names, as in the product's default language); every password is `<id>-password`. */
export const STAFF = [
  { id: 'wangfang', name: '王芳', role: 'caregiver', facility: 'f1' },
  { id: 'zhaolei', name: '赵磊', role: 'caregiver', facility: 'f1' },
  { id: 'liming', name: '李明', role: 'safety-officer', facility: 'f1' },
  { id: 'zhangwei', name: '张伟', role: 'caregiver', facility: 'f2' },
  { id: 'chenjing', name: '陈静', role: 'admin' },
] as const;
export const passwordOf = (id: string) => `${id}-password`;

export async function seedStaff(fx: ApiFixture): Promise<void> {
  for (const user of STAFF) await addUser(fx.db.pool, { ...user, password: passwordOf(user.id) });
}

/** A clock the test moves forward (expiry, lockout windows) without sleeping. */
export function movableClock() {
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs };
  return clock;
}

/** A warn-level JSON logger whose lines the test reads. */
export function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()),
  });
  return { logger: createLogger({ name: 'test', level: 'warn', destination, env: {} }), text: () => lines.join('') };
}

/** POST /api/v1/auth/login; the session cookie (name=value) as the browser would send it back. */
export async function login(fx: ApiFixture, username: string, password = passwordOf(username)) {
  const response = await fetch(`${fx.api.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body: any = await response.json();
  return { status: response.status, body, setCookie, cookie: setCookie.split(';')[0]!, headers: response.headers };
}

/** Audit entries (newest first) of exactly this action and/or target, as the store wrote them. */
export async function auditOf(
  fx: ApiFixture,
  filter: { action?: string; target?: string },
): Promise<{ actor: string; action: string; target: string | null; facility: string | null; details: unknown }[]> {
  const { rows } = await fx.db.pool.query(
    `SELECT actor, action, target, facility_id AS facility, details FROM audit_log
     WHERE ($1::text IS NULL OR action = $1) AND ($2::text IS NULL OR target = $2) ORDER BY id DESC`,
    [filter.action ?? null, filter.target ?? null],
  );
  return rows;
}
