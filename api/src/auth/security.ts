import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { RateLimited } from '../errors.js';
import { securityHeaders } from './headers.js';

/**
 * Writes (POST, PUT, PATCH, DELETE) per client address and minute, sign-in included
 * (docs/api.md "Rate limits and headers").
 */
export const WRITE_RATE_LIMIT = { max: 120, timeWindow: 60_000 } as const;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Security headers (helmet; a same-origin CSP for the wall display and the web app) and rate limits on every
 * write. Register before the routes. The session cookie needs no plugin (sessions.ts).
 */
export async function registerSecurity(app: FastifyInstance): Promise<void> {
  const headersFor = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    const headers = headersFor(request.raw);
    if (headers instanceof Error) return done(headers);
    reply.headers(headers);
    done();
  });
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
