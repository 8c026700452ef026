import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { RateLimited } from '../errors.js';

/**
 * Writes (POST, PUT, PATCH, DELETE) per client address and minute, sign-in included
 * (docs/api.md "Rate limits and headers").
 */
export const WRITE_RATE_LIMIT = { max: 120, timeWindow: 60_000 } as const;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The WebSocket stream's own origin, which CSP's 'self' does not name in every browser. */
function ownWebSocket(request: IncomingMessage): string {
  return `${(request.socket as TLSSocket).encrypted ? 'wss' : 'ws'}://${request.headers.host}`;
}

/**
 * Security headers (helmet; a same-origin CSP for the wall display and the web app), cookies (the web app's
 * session) and rate limits on every write. Register before the routes.
 */
export async function registerSecurity(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", (request) => ownWebSocket(request)],
        frameAncestors: ["'none'"],
        // The edge often serves plain http on the care home's network: never make browsers switch to https.
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyCookie);
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
