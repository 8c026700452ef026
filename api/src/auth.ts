import { DatabaseUnavailable, type Clock, type Pool } from '@vigil/core';
import { resolveToken, type Principal } from '@vigil/store';
import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from './errors.js';
import { isTransientDatabaseError } from '@vigil/store';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const MAX_ENTRIES = 10_000;

/**
 * Resolves bearer tokens with a short cache. When the database is unreachable a token seen before is still
 * honoured (stale-if-error), so wall displays keep reconnecting through a database outage.
 */
export class TokenResolver {
  private readonly cache = new Map<string, { principal: Principal; at: number }>();

  constructor(
    private readonly db: Pool,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async resolve(token: string): Promise<Principal | null> {
    const cached = this.cache.get(token);
    if (cached && this.clock.now() - cached.at < this.ttlMs) return cached.principal;
    let principal: Principal | null;
    try {
      principal = await resolveToken(this.db, token);
    } catch (err) {
      if (!isTransientDatabaseError(err)) throw err;
      if (cached) return cached.principal;
      throw DatabaseUnavailable('cannot check the token: the database is unreachable', err);
    }
    this.cache.delete(token);
    if (principal) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(token, { principal, at: this.clock.now() });
    }
    return principal;
  }
}

/** `Authorization: Bearer <token>` → the request's principal, or 401. */
export async function authenticate(resolver: TokenResolver, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw Unauthenticated('missing bearer token: send "Authorization: Bearer <token>"');
  const principal = await resolver.resolve(match[1]!);
  if (!principal) throw Unauthenticated('invalid, expired or revoked token');
  request.principal = principal;
}
