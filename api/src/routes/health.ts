import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ping } from '@vigil/store';
import type { RouteOptions } from '../http.js';

const DB_CHECK_TIMEOUT_MS = 2000;

/** Liveness, readiness (database, broker, seeded alert feed) and Prometheus metrics; no token needed. */
export const healthRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        operationId: 'getLiveness',
        summary: 'Liveness',
        description: 'Answers while the process serves requests; no token needed.',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: 'Readiness: database, broker and alert feed',
        description: '503 with the failing checks while the database or broker is unreachable or the feed not seeded.',
        security: [],
      },
    },
    async (_request, reply) => {
      const checks = {
        database: await checkDatabase(ctx),
        broker: ctx.brokerConnected() ? 'ok' : 'disconnected',
        alertFeed: ctx.feed.isSeeded ? 'ok' : 'not seeded',
      };
      const failing = Object.entries(checks).filter(([, value]) => value !== 'ok');
      if (failing.length === 0) return { status: 'ready', checks };
      const message = failing.map(([name, value]) => `${name}: ${value}`).join('; ');
      return reply.status(503).send({ error: { code: 'VIGIL_ERR_API_NOT_READY', message }, checks });
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    for (const [facility, id] of Object.entries(ctx.feed.lastEventIds(() => true))) {
      ctx.metrics.lastEventId.set({ facility }, id);
    }
    return reply.type(ctx.registry.contentType).send(await ctx.registry.metrics());
  });
};

async function checkDatabase(ctx: RouteOptions['ctx']): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), DB_CHECK_TIMEOUT_MS);
  });
  const query = ping(ctx.db).then(
    () => 'ok',
    (err: Error) => `unreachable (${err.message})`,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
