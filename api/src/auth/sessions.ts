import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForeignOrigin } from '../errors.js';

/** The web app's session cookie: HttpOnly, SameSite=Strict, Secure when served over TLS (docs/api.md). */
export const SESSION_COOKIE = 'vigil_session';
/** A sign-in lasts one long shift plus handover. */
export const DEFAULT_SESSION_TTL_MS = 12 * 3600_000;

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The request's session cookie. Cookies are parsed here, when a request has no bearer token, and written by the
 * two functions below, with the `cookie` package (the one @fastify/cookie wraps): that plugin adds an onSend hook to
 * every answer for the sign-in's one cookie (docs/api.md "Benchmark").
 */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

function secure(request: FastifyRequest, publicUrl: string | undefined): boolean {
  return request.protocol === 'https' || Boolean(publicUrl?.startsWith('https:'));
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
  now: number,
  publicUrl: string | undefined,
): void {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000));
  reply.header('set-cookie', sessionCookie(reply, token, publicUrl, { maxAge }));
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: string | undefined): void {
  reply.header('set-cookie', sessionCookie(reply, '', publicUrl, { maxAge: 0, expires: new Date(0) }));
}

function sessionCookie(
  reply: FastifyReply,
  value: string,
  publicUrl: string | undefined,
  lifetime: { maxAge: number; expires?: Date },
): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value,
    httpOnly: true,
    sameSite: 'strict',
    secure: secure(reply.request, publicUrl),
    path: '/',
    ...lifetime,
  });
}

/** The origins this api is reached at: the request's own (scheme + Host) and the configured public URL's. */
function ownOrigins(request: FastifyRequest, publicUrl: string | undefined): string[] {
  const origins = [`${request.protocol}://${request.host}`];
  if (publicUrl) origins.push(new URL(publicUrl).origin);
  return origins;
}

/**
 * A cookie rides along on any request the browser makes, so an unsafe method authenticated by it must come from
 * our own pages: `Origin` must be present and ours (403 otherwise). Bearer tokens are exempt (a browser never adds
 * them by itself). Pass `always` for the WebSocket upgrade, which is a GET.
 */
export function checkOrigin(request: FastifyRequest, publicUrl: string | undefined, always = false): void {
  if (!always && !UNSAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (!origin) throw ForeignOrigin('a request signed in by cookie must carry the Origin header');
  if (!ownOrigins(request, publicUrl).includes(origin))
    throw ForeignOrigin(`origin ${origin} may not use this session`);
}
