import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Aedes } from 'aedes';
import { ClassicLevel } from 'classic-level';
import { Registry } from 'prom-client';
import { createPool, silentLogger, systemClock } from '@vigil/core';
import { CredentialChecker } from './auth/credentials.js';
import { openVerifiedStore } from './auth/verified-store.js';
import { watchBroker } from './broker-events.js';
import {
  DEFAULT_AUTH_CACHE_TTL_MS,
  DEFAULT_DATA_DIR,
  DEFAULT_LIMITS,
  DEFAULT_TLS_PORT,
  type GatewayOptions,
} from './config.js';
import { GatewayStateUnavailable } from './errors.js';
import { authenticateHook } from './hooks/authenticate.js';
import { authorizeForwardHook } from './hooks/authorize-forward.js';
import { authorizePublishHook } from './hooks/authorize-publish.js';
import { authorizeSubscribeHook } from './hooks/authorize-subscribe.js';
import type { HookContext } from './hooks/context.js';
import { preConnectHook } from './hooks/pre-connect.js';
import { routeBeforeAck } from './hooks/route-before-ack.js';
import { listen, tlsServerOptions, type Listener } from './listeners.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { createGatewayMetrics } from './metrics.js';
import { BatchWriter } from '@vigil/core';
import { SessionStore } from './persistence/session-store.js';
import { OnlineDevices } from './status/online-devices.js';
import { StatusWriter } from './status/status-writer.js';
import { Forwarder } from './uplink/forwarder.js';
import { Outbox } from './uplink/outbox.js';
import { RegionFeed } from './uplink/region-feed.js';

export {
  configFromEnv,
  DEFAULT_LIMITS,
  GATEWAY_ENV,
  type GatewayOptions,
  type GatewayLimits,
  type TlsListenerOptions,
  type RegionOptions,
  type UpstreamOptions,
} from './config.js';
export { REFUSAL_REASONS, type RefusalReason } from './errors.js';

export interface GatewayHandle {
  /** `mqtt://<host>:<port>` of the plain listener, or the TLS listener's `mqtts://…` when TLS-only. */
  url: string;
  port: number;
  /** The TLS listener, when configured. */
  tlsUrl?: string;
  tlsPort?: number;
  close(): Promise<void>;
}

async function openState(dir: string): Promise<ClassicLevel<string, string>> {
  const db = new ClassicLevel<string, string>(dir);
  try {
    await mkdir(dir, { recursive: true });
    await db.open();
  } catch (err) {
    throw GatewayStateUnavailable(`cannot open gateway state in ${dir} (is another gateway using it?)`, err);
  }
  return db;
}

/**
 * Starts the edge MQTT gateway: aedes with registry authentication, the topic ACL, abuse limits, durable
 * on-disk broker state, device status tracking and (with `upstream`) the store-and-forward uplink.
 */
export async function start(options: GatewayOptions): Promise<GatewayHandle> {
  const log = (options.logger ?? silentLogger()).child({ module: 'gateway' });
  const clock = options.clock ?? systemClock;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const metrics = createGatewayMetrics(options.metrics ?? new Registry());
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;

  const state = await openState(path.join(dataDir, 'state'));
  const pool = createPool(options.databaseUrl, log, { max: 4, application_name: 'vigil-gateway' });
  // Two group-commit queues, so the hot path (sessions) never waits behind the rest (outbox, logins,
  // online devices); each keeps its own writes in order.
  const writer = new BatchWriter(state);
  const sessionWriter = new BatchWriter(state);
  const status = new StatusWriter(pool, { log, metrics, clock });
  const online = await OnlineDevices.open(state, writer, log, (device, facility) =>
    status.record(device, facility, 'disconnect'),
  );
  const ctx: HookContext = {
    log,
    clock,
    metrics,
    limits,
    credentials: new CredentialChecker(pool, {
      clock,
      logger: log,
      ttlMs: options.authCacheTtlMs ?? DEFAULT_AUTH_CACHE_TTL_MS,
      store: await openVerifiedStore(state, writer, { now: clock.now(), log }),
    }),
    principals: new WeakMap(),
    rateLimiter: new RateLimiter({ ratePerSecond: limits.ratePerSecond, burst: limits.rateBurst, clock }),
    routeBeforeAck: (_packet, _client, done) => done(new Error('broker not started')),
    uplink: null,
    region: null,
    willsPublished: new WeakSet(),
  };

  const broker = await Aedes.createBroker({
    persistence: new SessionStore(state, sessionWriter, { maxPerClient: limits.maxSessionQueue, metrics, log }),
    // mqemitter queues emits beyond `concurrency` and drains that queue recursively when a message has no
    // live subscriber (fastparallel completes synchronously): under a backlog with an offline persistent
    // subscriber the gateway died of RangeError (call stack) in the 10 000-device benchmark. 0 = no queue;
    // inbound load stays bounded by TCP backpressure (aedes reads a client's next chunk only when done).
    concurrency: 0,
    connectTimeout: limits.connectTimeoutMs,
    drainTimeout: limits.drainTimeoutMs,
    queueLimit: limits.preConnectQueue,
    maxClientsIdLength: 128,
    preConnect: preConnectHook(ctx),
    authenticate: authenticateHook(ctx),
    authorizePublish: authorizePublishHook(ctx),
    authorizeSubscribe: authorizeSubscribeHook(ctx),
    authorizeForward: authorizeForwardHook(ctx),
  });
  ctx.routeBeforeAck = routeBeforeAck(broker);
  watchBroker(broker, ctx, status, online);

  let forwarder: Forwarder | null = null;
  let feed: RegionFeed | null = null;
  if (options.upstream) {
    const outbox = await Outbox.open(state, writer, { metrics, log, maxEntries: limits.maxOutbox });
    const uplink = new Forwarder(outbox, options.upstream, { log, metrics, clock });
    ctx.uplink = { append: (message) => writer.write([outbox.append(message)]), notify: () => uplink.notify() };
    forwarder = uplink;
    if (options.region) {
      const regionFeed = new RegionFeed(pool, ctx.uplink, options.region, { log, clock });
      ctx.region = { feed: regionFeed, shareRaw: options.region.shareRaw };
      status.onRecord = (row) => regionFeed.deviceStatus(row.deviceId, row.facility, row.source === 'connect');
      feed = regionFeed;
    }
    if (outbox.depth) log.info({ queued: outbox.depth }, 'uplink outbox has messages from before the restart');
  }

  const sockets = new Set<net.Socket>();
  const listeners: Listener[] = [];
  try {
    const listenCtx = { limits, metrics, log, sockets, handle: (socket: net.Socket) => broker.handle(socket) };
    if (!options.tls?.only) listeners.push(await listen(listenCtx, host, options.port));
    if (options.tls) {
      const secure = await tlsServerOptions(options.tls);
      const tlsHost = options.tls.host ?? host;
      listeners.push(await listen(listenCtx, tlsHost, options.tls.port ?? DEFAULT_TLS_PORT, secure));
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => new Promise((resolve) => l.server.close(resolve))));
    broker.close();
    feed?.close();
    await forwarder?.close();
    await state.close();
    await pool.end();
    throw err;
  }
  const [first, tlsListener] = [listeners[0]!, options.tls ? listeners.at(-1) : undefined];
  log.info({ listeners: listeners.map((l) => l.url), dataDir }, 'gateway listening');

  let closing: Promise<void> | null = null;
  return {
    url: first.url,
    port: first.port,
    ...(tlsListener ? { tlsUrl: tlsListener.url, tlsPort: tlsListener.port } : {}),
    close() {
      closing ??= (async () => {
        const serverClosed = Promise.all(listeners.map((l) => new Promise((resolve) => l.server.close(resolve))));
        await new Promise<void>((resolve) => broker.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
        feed?.close();
        await forwarder?.close();
        await writer.drain();
        await sessionWriter.drain();
        await status.close();
        await state.close();
        await pool.end();
        log.info('gateway closed');
      })();
      return closing;
    },
  };
}
