import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import { VigilError, type Clock, type Logger, type Pool } from '@vigil/core';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { TokenResolver } from './auth.js';
import type { LoginLockout } from './auth/lockout.js';
import { registerSecurity } from './auth/security.js';
import type { AlertFeed } from './feed.js';
import type { ApiMetricSet } from './metrics.js';
import type { Directory } from './scope.js';
import { isTransientDatabaseError } from '@vigil/store';

/** What the route plugins share; built once by `start()` and passed as plugin options. */
export interface ApiContext {
  db: Pool;
  feed: AlertFeed;
  directory: Directory;
  tokens: TokenResolver;
  lockout: LoginLockout;
  /** How long a sign-in lasts (default 12 h). */
  sessionTtlMs: number;
  publicUrl?: string;
  metrics: ApiMetricSet;
  registry: Registry;
  log: Logger;
  clock: Clock;
  commandTimeoutMs: number;
  heartbeatMs: number;
  helloTimeoutMs: number;
  /** True while the broker connection is up (readiness). */
  brokerConnected(): boolean;
}

/** Every route plugin receives the context under this key. */
export interface RouteOptions {
  ctx: ApiContext;
}

export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .describe('{"error":{"code","message"}}; codes in docs/errors.md');
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * Documents the error answers of every authenticated route in OpenAPI (they are produced by the error handler,
 * not by the routes themselves). Register it inside the /api/v1 scope.
 */
export function documentErrors(route: { schema?: Record<string, unknown> }): void {
  if (!route.schema || route.schema.hide) return;
  const errors = Object.fromEntries([400, 401, 403, 404, 409, 503].map((status) => [status, errorBodySchema]));
  route.schema.response = { ...errors, ...(route.schema.response as object | undefined) };
}

/** Any thrown value → status + `{"error":{"code","message"}}`; 5xx details stay in the log, not in the answer. */
export function describeError(err: unknown): { status: number; body: ErrorBody } {
  const reply = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'request';
    const issues = err.validation.map((issue) => `${where}${issue.instancePath}: ${issue.message}`);
    return reply(400, 'VIGIL_ERR_API_VALIDATION', issues.join('; '));
  }
  if (err instanceof VigilError) {
    return reply(err.status, err.code, err.status >= 500 && err.status !== 503 ? 'internal error' : err.message);
  }
  if (isTransientDatabaseError(err)) return reply(503, 'VIGIL_ERR_DB_UNAVAILABLE', 'the database is unreachable');
  const status = (err as FastifyError).statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = status === 400 ? 'VIGIL_ERR_API_VALIDATION' : 'VIGIL_ERR_API_BAD_REQUEST';
    return reply(status, code, (err as Error).message);
  }
  return reply(500, 'VIGIL_ERR_API_INTERNAL', 'internal error');
}

/**
 * The fastify instance with everything that is not a resource: zod validation and serialisation, the error
 * format, OpenAPI (`/api/v1/openapi.json`) and its UI (`/docs`), WebSocket support and request metrics.
 */
export async function createHttpServer(options: { log: Logger; metrics: ApiMetricSet; publicUrl?: string }) {
  const { log, metrics } = options;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Request lines would log `?token=` of the wall display; metrics and the error handler cover requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = describeError(err);
    const route = request.routeOptions.url ?? 'unmatched';
    if (status >= 500) log.error({ err, route, code: body.error.code }, 'request failed');
    else log.debug({ route, code: body.error.code }, 'request refused');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    return reply
      .status(404)
      .send({ error: { code: 'VIGIL_ERR_API_NOT_FOUND', message: `no route ${request.method} ${path}` } });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  await registerSecurity(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        description:
          'Alerts, residents, devices and facilities of Vigil. Every /api/v1 route needs `Authorization: Bearer ' +
          '<token>`; records outside the token’s scope answer 404. The live stream is the WebSocket ' +
          '`/api/v1/stream` (see docs/api.md). Errors are `{"error":{"code","message"}}`.',
        version: '1.0.0',
      },
      servers: options.publicUrl ? [{ url: options.publicUrl }] : [],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The web app's sign-in (POST /api/v1/auth/login); unsafe methods then need a matching Origin.
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyWebsocket, { options: { maxPayload: 16 * 1024 } });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
