import { timingSafeEqual } from 'node:crypto';
import { describeError } from '@vigil/api';
import type { Clock, Logger, Queryable } from '@vigil/core';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { HubUnauthorized } from './errors.js';
import { regionRoutes } from './routes/region.js';

/** What the region routes share. */
export interface RegionContext {
  db: Queryable;
  clock: Clock;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The region API for regulators (docs/hub.md "Region API"): its own small fastify server rather than routes of the
 * facility api, because it reads the regional database and answers regulators, never a facility's staff. Every
 * route needs `Authorization: Bearer <VIGIL_HUB_TOKEN>`; errors are `{"error":{"code","message"}}` as in the api.
 */
export async function createRegionServer(ctx: RegionContext, options: { log: Logger; token: string }) {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, _request, reply) => {
    const { status, body } = describeError(err);
    if (status >= 500) options.log.error({ err, code: body.error.code }, 'region request failed');
    return reply.status(status).send(body);
  });
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !sameToken(header.slice(7), options.token))
      throw HubUnauthorized("send Authorization: Bearer <the regulators' token>");
  });
  await app.register(regionRoutes, { ctx });
  return app;
}
