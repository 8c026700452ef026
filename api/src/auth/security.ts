import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { RateLimited } from '../errors.js';

/**
 * Writes (POST, PUT, PATCH, DELETE) per client address and minute, sign-in included
 * (docs/api.md "Rate limits and headers").
 */
export const WRITE_RATE_LIMIT = { max: 120, timeWindow: 60_000 } as const;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Rate limits on every write; register before the routes. The security headers are added by the server's response
 * class when the head is written (headers.ts, http.ts); the session cookie needs no plugin (sessions.ts).
 */
export async function registerWriteRateLimits(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!methods.some((method) => WRITE_METHODS.has(method))) return;
    route.config = { ...(route.config as object), rateLimit: WRITE_RATE_LIMIT } as typeof route.config;
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      RateLimited(`too many writes from this address: at most ${context.max} a minute, retry in ${context.after}`),
  });
}
