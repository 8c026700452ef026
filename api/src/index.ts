import { createPool, DatabaseUnavailable, silentLogger, systemClock, type MqttService } from '@vigil/core';
import { STREAM_HEARTBEAT_MS, STREAM_HELLO_TIMEOUT_MS } from '@vigil/protocol';
import { Registry } from 'prom-client';
import { authenticate, TokenResolver } from './auth.js';
import { LoginLockout } from './auth/lockout.js';
import { listenForRevocationsOf } from './auth/revocations.js';
import { DEFAULT_SESSION_TTL_MS } from './auth/sessions.js';
import type { ApiOptions } from './config.js';
import { AlertFeed } from './feed.js';
import { createHttpServer, declareRoute, type ApiContext, type HttpServer } from './http.js';
import { createApiMetrics } from './metrics.js';
import { ReceiptRecorder } from './receipts.js';
import { alertRoutes } from './routes/alerts.js';
import { analyticsRoutes } from './routes/analytics.js';
import { auditRoutes } from './routes/audit.js';
import { coveragePolicyRoutes } from './routes/coverage-policies.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { authRoutes, loginRoutes } from './routes/auth.js';
import { deviceRoutes } from './routes/devices.js';
import { shiftRoutes } from './routes/shifts.js';
import { displayApi } from './routes/display.js';
import { coverageRoutes } from './routes/coverage.js';
import { planRoutes } from './routes/plans.js';
import { webPages } from './routes/web.js';
import { drillRoutes } from './routes/drills.js';
import { facilityRoutes } from './routes/facilities.js';
import { healthRoutes } from './routes/health.js';
import { locationRoutes } from './routes/locations.js';
import { privacyRoutes } from './routes/privacy.js';
import { residentRoutes } from './routes/residents.js';
import { roomRoutes } from './routes/rooms.js';
import { timelineRoutes } from './routes/timeline.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { workOrderRoutes } from './routes/work-orders.js';
import { dwellingRoutes } from './routes/dwellings.js';
import { notificationRoutes } from './routes/notifications.js';
import { vitalsRoutes } from './routes/vitals.js';
import { staffShiftRoutes } from './routes/staff-shifts.js';
import { contactRoutes } from './routes/contacts.js';
import { allow, Directory } from './scope.js';
import { streamRoutes } from './stream.js';
import { subscribeAlertEvents } from './subscriber.js';
import { DEFAULT_RETENTION_DAYS, isTransientDatabaseError, type Principal } from '@vigil/store';
import type { FastifyRequest } from 'fastify';

export { coverageCsv, coverageHtml } from './coverage-render.js';
export { ACTIONS, PERMISSIONS, type Action } from './scope.js';
export { describeError } from './http.js';
export { API_ENV, configFromEnv, type ApiEnvConfig, type ApiMqttOptions, type ApiOptions } from './config.js';

export interface ApiHandle {
  /** Base URL, e.g. `http://127.0.0.1:8080` (or `publicUrl`). */
  url: string;
  port: number;
  /** The wall display; open it as `${displayUrl}?token=<display token>`. */
  displayUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the api: REST under /api/v1, the WebSocket stream, the wall display, OpenAPI docs, health and
 * metrics. Needs the database (seeds the alert feed from it) and a broker account of role `api`.
 */
export async function start(options: ApiOptions): Promise<ApiHandle> {
  const log = (options.logger ?? silentLogger()).child({ module: 'api' });
  const clock = options.clock ?? systemClock;
  const registry = options.metrics ?? new Registry();
  const metrics = createApiMetrics(registry);
  const db = createPool(options.databaseUrl, log, { max: 10, application_name: 'vigil-api' });
  const directory = new Directory(db);
  const feed = new AlertFeed(db, directory, log.child({ module: 'feed' }), options.ringSize);
  let broker: MqttService | null = null;
  const closers: (() => Promise<unknown>)[] = [() => db.end()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err) => log.warn({ err }, 'close failed'));
  };

  try {
    await feed.seed().catch((err) => {
      throw isTransientDatabaseError(err) ? DatabaseUnavailable('api: cannot reach the database', err) : err;
    });
    broker = await subscribeAlertEvents(options.mqtt, feed, { log: log.child({ module: 'mqtt' }), metrics });
    closers.push(() => broker!.close());

    const tokens = new TokenResolver(db, clock, options.tokenCacheMs ?? 10_000);
    const revocations = await listenForRevocationsOf(tokens, options.databaseUrl, log.child({ module: 'auth' }));
    closers.push(() => revocations.close());

    const receipts = new ReceiptRecorder(db, clock, log.child({ module: 'receipts' }));
    closers.push(() => receipts.close());
    const ctx: ApiContext = {
      db,
      feed,
      directory,
      tokens,
      receipts,
      lockout: new LoginLockout(db, clock, log.child({ module: 'auth' })),
      sessionTtlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
      publicUrl: options.publicUrl,
      metrics,
      registry,
      log,
      clock,
      commandTimeoutMs: options.commandTimeoutMs ?? 5000,
      retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS,
      heartbeatMs: options.heartbeatMs ?? STREAM_HEARTBEAT_MS,
      helloTimeoutMs: options.helloTimeoutMs ?? STREAM_HELLO_TIMEOUT_MS,
      brokerConnected: () => broker?.connected() ?? false,
      vapidPublicKey: options.vapidPublicKey ?? null,
    };
    const servers: { url: string; description: string }[] = [];
    const app = await createHttpServer({
      log: log.child({ module: 'http' }),
      metrics,
      servers,
      trustedProxies: options.trustedProxies,
    });
    closers.push(() => app.close());
    await registerRoutes(app, ctx);

    const host = options.host ?? '127.0.0.1';
    await app.listen({ host, port: options.port });
    const port = (app.server.address() as { port: number }).port;
    const url = (options.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, '');
    servers.push({ url, description: 'this api' });
    log.info({ url }, 'api listening');
    return { url, port, displayUrl: `${url}/display`, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Every route on one server; shared by `start()` and `openApiDocument()` so the document is the served api. */
async function registerRoutes(app: HttpServer, ctx: ApiContext): Promise<void> {
  await app.register(healthRoutes, { ctx });
  await app.register(streamRoutes, { ctx });
  await app.register(webPages);
  await app.register(
    async (api) => {
      api.addHook('onRoute', declareRoute);
      await api.register(loginRoutes, { ctx });
    },
    { prefix: '/api/v1' },
  );
  await app.register(
    async (api) => {
      api.addHook('onRoute', declareRoute);
      // Declared up front, so that setting them keeps every request object of one shape (fastify's advice).
      api.decorateRequest('principal', null as unknown as Principal);
      api.decorateRequest('credential', null as unknown as FastifyRequest['credential']);
      // A callback hook rather than an async one: with the token cached, nothing here waits.
      api.addHook('onRequest', (request, _reply, done) => {
        const pending = authenticate(ctx.tokens, request, ctx.publicUrl);
        if (!pending) {
          authorize(request);
          return done();
        }
        pending.then(() => authorize(request)).then(() => done(), done);
      });
      await api.register(authRoutes, { ctx });
      await api.register(userRoutes, { ctx });
      await api.register(tokenRoutes, { ctx });
      await api.register(facilityRoutes, { ctx });
      await api.register(residentRoutes, { ctx });
      await api.register(deviceRoutes, { ctx });
      await api.register(alertRoutes, { ctx });
      await api.register(timelineRoutes, { ctx });
      await api.register(drillRoutes, { ctx });
      await api.register(analyticsRoutes, { ctx });
      await api.register(shiftRoutes, { ctx });
      await api.register(coverageRoutes, { ctx });
      await api.register(planRoutes, { ctx });
      await api.register(workOrderRoutes, { ctx });
      await api.register(dwellingRoutes, { ctx });
      await api.register(notificationRoutes, { ctx });
      await api.register(staffShiftRoutes, { ctx });
      await api.register(contactRoutes, { ctx });
      await api.register(displayApi, { ctx });
      await api.register(roomRoutes, { ctx });
      await api.register(locationRoutes, { ctx });
      await api.register(vitalsRoutes, { ctx });
      await api.register(privacyRoutes, { ctx });
      await api.register(coveragePolicyRoutes, { ctx });
      await api.register(deadLetterRoutes, { ctx });
      await api.register(auditRoutes, { ctx });
    },
    { prefix: '/api/v1' },
  );
}

/** Before validation: a forbidden action is 403 whatever the body (declareRoute made sure it is set). */
function authorize(request: FastifyRequest): void {
  allow(request.principal, request.routeOptions.config.action!);
}

/**
 * The OpenAPI document of the api, built without a database or broker (routes only use the context when they
 * answer), for the web app's generated client (`npm run gen:client`).
 */
export async function openApiDocument(): Promise<unknown> {
  const metrics = createApiMetrics(new Registry());
  const app = await createHttpServer({
    log: silentLogger(),
    metrics,
    servers: [{ url: '/', description: 'this api' }],
  });
  try {
    await registerRoutes(app, { metrics } as ApiContext);
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}
