import http from 'node:http';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { VigilError, type Clock, type Logger, type Pool } from '@vigil/core';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyReply,
  type FastifyRequest,
  type FastifySerializerCompiler,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  ResponseSerializationError,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { TokenResolver } from './auth.js';
import type { LoginLockout } from './auth/lockout.js';
import { secureResponseClass } from './auth/headers.js';
import { registerWriteRateLimits } from './auth/security.js';
import type { AlertFeed } from './feed.js';
import type { ApiMetricSet } from './metrics.js';
import type { ReceiptRecorder } from './receipts.js';
import { requestLogger } from './request-logger.js';
import { responseWriter } from './response-writer.js';
import { ACTIONS, type Action, type Directory } from './scope.js';
import { isTransientDatabaseError } from '@vigil/store';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route does, for the role check (scope.ts `PERMISSIONS`); required under /api/v1. */
    action?: Action;
    /** A route without a credential (the sign-in): no action, no role check; still an operationId and description. */
    public?: boolean;
  }
}

/** What the route plugins share; built once by `start()` and passed as plugin options. */
export interface ApiContext {
  db: Pool;
  feed: AlertFeed;
  directory: Directory;
  tokens: TokenResolver;
  /** The displays' receipts of alert events (docs/alerts.md "Receipts"). */
  receipts: ReceiptRecorder;
  lockout: LoginLockout;
  /** How long a sign-in lasts (default 12 h). */
  sessionTtlMs: number;
  publicUrl?: string;
  metrics: ApiMetricSet;
  registry: Registry;
  log: Logger;
  clock: Clock;
  commandTimeoutMs: number;
  /** Days of data kept where `retention_settings` has no row (erasure after discharge waits for it). */
  retentionDays: number;
  heartbeatMs: number;
  helloTimeoutMs: number;
  /** True while the broker connection is up (readiness). */
  brokerConnected(): boolean;
  /** The Web Push VAPID public key the staff page subscribes with (null: push is off). */
  vapidPublicKey: string | null;
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
 * Checks and documents every /api/v1 route when it is added (register it as an `onRoute` hook inside the /api/v1
 * scope): it must declare `config.action` and an `operationId`, or the api does not start. The action is published
 * as `x-vigil-action` (the authorization matrix test reads it), and the error answers, produced by the error
 * handler rather than by the routes, are documented.
 */
export function declareRoute(route: {
  url: string;
  schema?: Record<string, unknown>;
  config?: { action?: Action; public?: boolean };
}) {
  if (!route.schema || route.schema.hide) return;
  if (typeof route.schema.operationId !== 'string') throw new Error(`route ${route.url} declares no operationId`);
  const errors = Object.fromEntries([400, 401, 403, 404, 409, 503].map((status) => [status, errorBodySchema]));
  route.schema.response = { ...errors, ...(route.schema.response as object | undefined) };
  if (route.config?.public) {
    // The sign-in: registered outside the authenticated scope, so no onRequest hook checks an action.
    if (typeof route.schema.description !== 'string') throw new Error(`public route ${route.url} has no description`);
    route.schema['x-vigil-public'] = true;
    return;
  }
  const action = route.config?.action;
  if (!action || !ACTIONS.includes(action)) throw new Error(`route ${route.url} declares no config.action`);
  route.schema['x-vigil-action'] = action;
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
 * Every answer is checked against its zod schema (unknown keys dropped, a wrong shape is a 500) and then written
 * (`responseWriter`). It is parsed rather than encoded (the type provider's own serializer): no response schema holds
 * a codec or a transform, so both give the same result, and encoding walks every schema twice (a pass without its
 * checks, then one with them), about twice the time for a page of 100 alerts (docs/api.md "Benchmark").
 */
const serializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema, method, url }) => {
  const write = responseWriter(schema);
  return (data) => {
    const result = schema.safeParse(data);
    if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
    return write(result.data);
  };
};

/** The OpenAPI tags, one per resource plugin (a route with another tag fails the spectral test). */
const TAGS = [
  { name: 'health', description: 'Liveness and readiness, without a token' },
  { name: 'session', description: 'Who the token speaks for' },
  { name: 'auth', description: 'Sign-in, sign-out, the signed-in user and their password' },
  { name: 'users', description: 'Users who sign in, and their passwords' },
  { name: 'tokens', description: 'Bearer tokens and sessions: create, list, revoke' },
  { name: 'facilities', description: 'Care homes and their rule settings' },
  { name: 'locations', description: 'Rooms, bathrooms, exits… of a facility' },
  { name: 'residents', description: 'Residents, their risks, thresholds and vital signs' },
  { name: 'privacy', description: 'Consent, export, erasure and retention (PIPL, GB/T 35273)' },
  { name: 'devices', description: 'Registered sensors and their status' },
  { name: 'alerts', description: 'Alerts, their lifecycle, timeline and assignment' },
  { name: 'drills', description: 'Manual drills and their response times' },
  { name: 'analytics', description: 'Response times per shift and rule, false alarms per rule and device' },
  { name: 'display', description: 'What the wall display needs' },
  { name: 'coverage', description: 'Coverage policies of facilities and the coverage audit' },
  { name: 'plans', description: 'Emergency plans, their filing with the regulator and their drills' },
  { name: 'dead-letters', description: 'Messages ingest could not store' },
  { name: 'audit', description: 'Who read or changed residents’ data' },
  { name: 'work-orders', description: 'Home care: the visits alerts open, and their steps' },
  { name: 'dwellings', description: 'Home care: the dwellings of a station and how to get in' },
  { name: 'notifications', description: 'Staff notification endpoints and preferences, and delivery outcomes' },
];

/**
 * Fastify's request log controller: told of every request once its answer is out (or its socket failed). Request
 * lines stay off (they would log the wall display's `?token=`; the metrics and the error handler cover requests);
 * the request metrics are tallied here, where an `onResponse` hook cost a hook run on every request (docs/api.md
 * "Benchmark").
 */
class RequestCompletion extends LogController {
  constructor(private readonly metrics: ApiMetricSet) {
    super({ disableRequestLogging: true });
  }

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? 'unmatched';
    this.metrics.http.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    // An upgrade to any route but the stream was answered in HTTP (its 401, 404…) on a socket the server no longer
    // manages (stream.ts): nobody else closes it. `upgrade` is node's own flag for such a request (not in its
    // types). The stream's own upgrades are hijacked and never get here.
    if ((request.raw as { upgrade?: boolean }).upgrade) request.raw.socket.destroy();
  }
}

/**
 * The fastify instance with everything that is not a resource: zod validation and serialisation, the error
 * format, OpenAPI (`/api/v1/openapi.json`) and its UI (`/docs`) and request metrics. WebSocket support belongs to
 * the stream's scope (stream.ts).
 */
export async function createHttpServer(options: {
  log: Logger;
  metrics: ApiMetricSet;
  /** Filled in once the server listens (its URL): the document is built on first request. */
  servers: { url: string; description: string }[];
  /** Reverse proxies whose `X-Forwarded-*` headers are believed (addresses or CIDR ranges); none by default. */
  trustedProxies?: readonly string[];
}) {
  const { log, metrics } = options;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // Request lines would log `?token=` of the wall display; metrics and the error handler cover requests.
    logController: new RequestCompletion(metrics),
    childLoggerFactory: requestLogger,
    bodyLimit: 64 * 1024,
    // request.ip (lockout, rate limits, audit) is the TCP peer unless that peer is a configured proxy: then the
    // nearest address of X-Forwarded-For that is not one (docs/api.md "Client addresses behind a reverse proxy").
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
    // Helmet's headers are added when the head is written, to those fastify writes (api/src/auth/headers.ts): as an
    // onRequest hook they cost a hook and a dozen reply.header calls on every request (docs/api.md "Benchmark").
    // Headers a route sets win (the web pages' own CSP).
    serverFactory: (handler) => http.createServer({ ServerResponse: secureResponseClass() }, handler),
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
  await registerWriteRateLimits(app);
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
        contact: { name: 'Vigil maintainers (docs/api.md)' },
      },
      servers: options.servers,
      tags: TAGS,
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
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export type HttpServer = Awaited<ReturnType<typeof createHttpServer>>;
