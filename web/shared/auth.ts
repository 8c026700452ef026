// The one place that knows how a page signs in (docs/web.md "Sign-in"). People sign in with a username and
// password (POST /api/v1/auth/login): the api answers with an HttpOnly, SameSite=Strict session cookie that the
// browser sends by itself, so no person's token is ever visible to the page or kept in storage. A wall display may
// instead run with a display token (watch-only, not a person), from `?token=` once or the entry form, kept in
// localStorage so the display survives a reload.
import createClient from 'openapi-fetch';
import type { paths } from './api-schema.js';

const DISPLAY_TOKEN_KEY = 'vigil.displayToken';
const STAFF_MS = 5 * 60 * 1000;

/** The sign-in routes, through their own client: the page's client would send the display token along. */
const auth = createClient<paths>({ baseUrl: location.origin });

let staff: { token: string; until: number } | null = null;

/**
 * The display token, taken from `?token=` once (then removed from the address bar) or from storage; else null. Only
 * the wall display runs on one: the officer's, regulator's and staff pages of the same browser are people's.
 */
export function displayToken(): string | null {
  if (!location.pathname.startsWith('/display')) return null;
  const params = new URLSearchParams(location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    localStorage.setItem(DISPLAY_TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}`);
  }
  return localStorage.getItem(DISPLAY_TOKEN_KEY);
}

export function keepDisplayToken(token: string): void {
  localStorage.setItem(DISPLAY_TOKEN_KEY, token.trim());
}

/** What a sign-in attempt came to: signed in, refused (wrong username or password) or locked for some seconds. */
export type SignInResult = { ok: true } | { ok: false; retryAfterS: number | null };

async function login(username: string, password: string, cookie: boolean) {
  const { data, response } = await auth.POST('/api/v1/auth/login', { body: { username, password, cookie } });
  const retry = response.status === 429 ? Number(response.headers.get('retry-after')) || 60 : null;
  return { token: data?.token ?? null, retryAfterS: retry };
}

/** Signs a person in: the api sets the session cookie; the token in the answer is not kept. */
export async function signIn(username: string, password: string): Promise<SignInResult> {
  const { token, retryAfterS } = await login(username, password, true);
  return token ? { ok: true } : { ok: false, retryAfterS };
}

/** Ends the cookie session (the api revokes it and clears the cookie) and forgets a display token. */
export async function signOut(): Promise<void> {
  const hadDisplayToken = localStorage.getItem(DISPLAY_TOKEN_KEY) !== null;
  localStorage.removeItem(DISPLAY_TOKEN_KEY);
  await forgetStaff();
  // A display token is not revoked on sign-out: it is the display's, issued by an officer (vigil token revoke).
  if (!hadDisplayToken) await auth.POST('/api/v1/auth/logout').catch(() => undefined);
}

/** A caregiver's own credential for acting from a watch-only display, kept in memory for 5 minutes. */
export function staffToken(): string | null {
  return staff && Date.now() < staff.until ? staff.token : null;
}

export function rememberStaff(credential: string): void {
  staff = { token: credential.trim(), until: Date.now() + STAFF_MS };
}

/**
 * A caregiver signs in at a shared display without a cookie (the next person at the display must not inherit it):
 * the session's token lives in memory for 5 minutes and is then revoked.
 */
export async function staffSignIn(username: string, password: string): Promise<SignInResult & { token?: string }> {
  const { token, retryAfterS } = await login(username, password, false);
  if (!token) return { ok: false, retryAfterS };
  await forgetStaff();
  rememberStaff(token);
  setTimeout(() => void (staff?.token === token && forgetStaff()), STAFF_MS);
  return { ok: true, token };
}

export async function forgetStaff(): Promise<void> {
  const token = staff?.token;
  staff = null;
  if (token) {
    const headers = { authorization: `Bearer ${token}` };
    await auth.POST('/api/v1/auth/logout', { headers }).catch(() => undefined);
  }
}
