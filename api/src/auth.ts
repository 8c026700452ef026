import { DatabaseUnavailable, type Clock, type Pool } from '@vigil/core';
import { isTransientDatabaseError, resolveToken, type Principal, type ResolvedToken } from '@vigil/store';
import type { FastifyRequest } from 'fastify';
import { checkOrigin, SESSION_COOKIE } from './auth/sessions.js';
import { Unauthenticated } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** The credential the request was authenticated with (logout revokes it). */
    credential: ResolvedToken & { via: 'bearer' | 'cookie' };
  }
}

const MAX_ENTRIES = 10_000;

/**
 * Resolves bearer tokens with a short cache. When the database is unreachable a token seen before is still
 * honoured (stale-if-error), so wall displays keep reconnecting through a database outage. Expiry is judged on
 * every call, cached or not; revocations evict entries at once (`forget`, fed by the revocation listener).
 */
export class TokenResolver {
  private readonly cache = new Map<string, { resolved: ResolvedToken; at: number }>();
  private readonly listeners = new Set<(match: (principal: Principal) => boolean) => void>();

  constructor(
    private readonly db: Pool,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async resolve(token: string): Promise<Principal | null> {
    return (await this.resolveFull(token))?.principal ?? null;
  }

  async resolveFull(token: string): Promise<ResolvedToken | null> {
    const now = this.clock.now();
    const cached = this.cache.get(token);
    if (cached && cached.resolved.expiresAt && cached.resolved.expiresAt.getTime() <= now) {
      this.cache.delete(token);
      return null;
    }
    if (cached && now - cached.at < this.ttlMs) return cached.resolved;
    let resolved: ResolvedToken | null;
    try {
      resolved = await resolveToken(this.db, token, new Date(now));
    } catch (err) {
      if (!isTransientDatabaseError(err)) throw err;
      if (cached) return cached.resolved;
      throw DatabaseUnavailable('cannot check the token: the database is unreachable', err);
    }
    this.cache.delete(token);
    if (resolved) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(token, { resolved, at: now });
    }
    return resolved;
  }

  /** Drops the cached tokens whose principal matches, and tells the listeners (open streams) to check theirs. */
  forget(match: (principal: Principal) => boolean): void {
    for (const [token, entry] of this.cache) if (match(entry.resolved.principal)) this.cache.delete(token);
    for (const listener of this.listeners) listener(match);
  }

  /** Calls `listener` on every revocation with a test of the principals it concerns; returns the unsubscribe. */
  onForget(listener: (match: (principal: Principal) => boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * `Authorization: Bearer <token>`, else the session cookie (then an unsafe method needs a matching `Origin`) →
 * the request's principal, or 401.
 */
export async function authenticate(
  resolver: TokenResolver,
  request: FastifyRequest,
  publicUrl: string | undefined,
): Promise<void> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const cookie = request.cookies[SESSION_COOKIE];
  if (header && !match) throw Unauthenticated('malformed Authorization header: send "Authorization: Bearer <token>"');
  if (!match && !cookie) {
    throw Unauthenticated('missing credentials: send "Authorization: Bearer <token>" or sign in');
  }
  if (!match) checkOrigin(request, publicUrl);
  const resolved = await resolver.resolveFull(match ? match[1]! : cookie!);
  if (!resolved) throw Unauthenticated('invalid, expired or revoked token');
  request.principal = resolved.principal;
  request.credential = { ...resolved, via: match ? 'bearer' : 'cookie' };
}
