import fastifyWebsocket from '@fastify/websocket';
import type { Principal, ResolvedToken } from '@vigil/store';
import {
  MAX_CLIENT_MESSAGE_BYTES,
  STREAM_CLOSE_UNAUTHORIZED,
  STREAM_PATH,
  streamHelloSchema,
  type AlertEvent,
  type LastEventIds,
  type StreamHello,
  type StreamServerMessage,
} from '@vigil/protocol';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { checkOrigin, sessionCookieOf } from './auth/sessions.js';
import type { ApiContext, RouteOptions } from './http.js';
import type { SessionReceipts } from './receipts.js';
import { alertView, alertViewOf, can, inScope } from './scope.js';

/** A client that cannot keep up is dropped (it resumes with `since`) instead of growing our memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_TRY_AGAIN = 1013;
/**
 * Every this many heartbeats the token is looked up again: a safety net behind the revocation notifications, which
 * close a revoked stream at once (docs/api.md "WebSocket stream").
 */
const RECHECK_TOKEN_TICKS = 6;

type State = 'hello' | 'replaying' | 'live' | 'closed';

/**
 * The `alert` message of an event, serialised once per view (`alertViewOf`) rather than once per socket: the feed
 * hands an event to every session in one synchronous loop, and every socket of a view is sent the same bytes. An
 * entry lasts until that loop ends (a microtask), so a later send of the event sees the directory as it is then.
 */
const alertMessages = new Map<AlertEvent, Map<string, Buffer>>();

function alertMessage(event: AlertEvent, principal: Principal, ctx: ApiContext): Buffer {
  let byView = alertMessages.get(event);
  if (!byView) {
    byView = new Map();
    alertMessages.set(event, byView);
    queueMicrotask(() => alertMessages.delete(event));
  }
  const view = alertViewOf(principal);
  let bytes = byView.get(view);
  if (!bytes) {
    const alert = alertView(principal, event.alert, ctx.directory);
    const message: StreamServerMessage = { type: 'alert', eventId: event.eventId, event: event.event, alert };
    bytes = Buffer.from(JSON.stringify(message));
    byView.set(view, bytes);
  }
  return bytes;
}

/**
 * One `/api/v1/stream` connection (docs/api.md "WebSocket stream"): hello within the timeout or close 4401; then either
 * a snapshot of the open alerts in scope, or — with `since` — exactly the events missed since then followed by a
 * heartbeat; then every event (in eventId order per facility) and a heartbeat every interval.
 */
class StreamSession {
  private state: State = 'hello';
  private principal: Principal | null = null;
  private receipts: SessionReceipts | null = null;
  private token = '';
  private expiresAt: Date | null = null;
  private ticks = 0;
  /** Per facility: the newest event id the client has (been sent, or skipped as not visible). */
  private sentUpTo = new Map<string, number>();
  private readonly buffered: AlertEvent[] = [];
  private unsubscribe: () => void = () => undefined;
  /** Bumped when the feed reloads, so that a resume under way does not send what it read before. */
  private generation = 0;
  private alive = true;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: ApiContext,
    private readonly onEnd: (session: StreamSession) => void,
    /** The session cookie of the upgrade request (its Origin checked), used when the hello has no token. */
    private readonly cookieToken: string | undefined,
  ) {
    this.helloTimer = setTimeout(
      () => this.reject('hello_timeout', 'no hello within the time limit'),
      ctx.helloTimeoutMs,
    );
    socket.on('message', (data) => {
      if (this.state === 'hello') void this.hello(data.toString());
      else this.receipts?.receive(data.toString());
    });
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.end());
    socket.on('error', () => this.end());
  }

  private async hello(text: string): Promise<void> {
    clearTimeout(this.helloTimer);
    this.state = 'replaying'; // no second hello while the token is checked
    let hello: StreamHello;
    try {
      hello = streamHelloSchema.parse(JSON.parse(text));
    } catch {
      return this.reject('bad_hello', 'the first message must be {"type":"hello","token":…}');
    }
    const token = hello.token ?? this.cookieToken;
    if (!token) return this.reject('bad_hello', 'the hello needs a token when the connection is not signed in');
    let resolved: ResolvedToken | null;
    try {
      resolved = await this.ctx.tokens.resolveFull(token);
    } catch (err) {
      this.ctx.log.warn({ err }, 'stream token check failed');
      return this.reject('unavailable', 'cannot check the token now', CLOSE_TRY_AGAIN);
    }
    if (!resolved || !can(resolved.principal, 'stream')) {
      return this.reject('bad_token', 'invalid, expired or revoked token');
    }
    if (this.socket.readyState !== this.socket.OPEN) return this.end();
    this.principal = resolved.principal;
    this.receipts = this.ctx.receipts.session(resolved.principal);
    this.expiresAt = resolved.expiresAt;
    this.token = token;
    this.ctx.metrics.streamClients.inc();
    const unsubscribeEvents = this.ctx.feed.subscribe((event) => {
      if (this.state === 'live') this.sendEvent(event);
      else if (this.state === 'replaying') this.buffered.push(event);
    });
    const unsubscribeResets = this.ctx.feed.onReset(() => {
      this.generation++;
      this.buffered.length = 0;
      this.sentUpTo.clear();
      this.snapshot();
    });
    // A revocation, disable or password reset concerning this principal: look the token up again at once.
    const unsubscribeRevocations = this.ctx.tokens.onForget((concerns) => {
      if (this.principal && concerns(this.principal)) void this.recheckToken();
    });
    this.unsubscribe = () => {
      unsubscribeEvents();
      unsubscribeResets();
      unsubscribeRevocations();
    };
    const since = hello.since;
    if (since === undefined || since === null || typeof since === 'number' || this.isAhead(since)) {
      return this.snapshot();
    }
    await this.resume(since);
  }

  /** A client that has seen events we have not (the database was restored from a backup?) needs a snapshot. */
  private isAhead(since: LastEventIds): boolean {
    return Object.entries(since).some(([facility, id]) => id > this.ctx.feed.lastEventId(facility));
  }

  private snapshot(): void {
    if (this.state === 'closed') return;
    const { alerts, lastEventIds } = this.ctx.feed.snapshot(this.visible);
    for (const alert of alerts) this.receipts?.sentAlert(alert);
    this.send({
      type: 'snapshot',
      alerts: alerts.map((a) => alertView(this.principal!, a, this.ctx.directory)),
      lastEventIds,
    });
    this.goLive(lastEventIds);
  }

  private async resume(since: LastEventIds): Promise<void> {
    const generation = this.generation;
    const missed = await this.ctx.feed.since(since, this.visible);
    if (this.state !== 'replaying' || generation !== this.generation) return;
    // Too far behind, or the history cannot be read (database down, ring too short): give the full state instead.
    if (missed === null) return this.snapshot();
    this.sentUpTo = new Map(Object.entries(since));
    for (const event of missed.events) this.sendEvent(event);
    this.goLive(missed.upTo);
    this.heartbeat();
  }

  private goLive(upTo: LastEventIds): void {
    for (const [facility, id] of Object.entries(upTo)) {
      this.sentUpTo.set(facility, Math.max(this.sentUpTo.get(facility) ?? 0, id));
    }
    this.state = 'live';
    for (const event of this.buffered.splice(0)) this.sendEvent(event);
  }

  private readonly visible = (facility: string): boolean => inScope(this.principal!, facility, this.ctx.directory);

  private heartbeat(): void {
    this.send({ type: 'heartbeat', lastEventIds: this.ctx.feed.lastEventIds(this.visible) });
  }

  private sendEvent(event: AlertEvent): void {
    const facility = event.alert.facility;
    if (event.eventId <= (this.sentUpTo.get(facility) ?? 0)) return;
    this.sentUpTo.set(facility, event.eventId);
    if (!this.visible(facility)) return;
    this.receipts?.sentAlert(event.alert);
    this.sendBytes('alert', alertMessage(event, this.principal!, this.ctx));
  }

  /** Called by the plugin's interval timer. Also detects dead peers with WebSocket pings. */
  tick(): void {
    if (this.state !== 'live') return;
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
    if (this.expiresAt && this.expiresAt.getTime() <= this.ctx.clock.now()) {
      this.reject('expired', 'the token has expired');
      return;
    }
    this.heartbeat();
    if (++this.ticks % RECHECK_TOKEN_TICKS === 0) void this.recheckToken();
  }

  private async recheckToken(): Promise<void> {
    // A database outage keeps the last answer (stale-if-error): only a definite "revoked" cuts the client off.
    const principal = await this.ctx.tokens.resolve(this.token).catch(() => this.principal);
    if (principal === null) this.reject('revoked', 'the token was revoked or has expired');
  }

  private send(message: StreamServerMessage): void {
    this.sendBytes(message.type, JSON.stringify(message));
  }

  /** A serialised message, as a text frame. */
  private sendBytes(type: StreamServerMessage['type'], data: string | Buffer): void {
    if (this.state === 'closed' || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE_TRY_AGAIN, 'client too slow; reconnect with since');
      return;
    }
    this.socket.send(data, { binary: false });
    this.ctx.metrics.streamMessages.inc({ type });
  }

  private reject(reason: string, message: string, code = STREAM_CLOSE_UNAUTHORIZED): void {
    this.ctx.metrics.streamRejected.inc({ reason });
    this.close(code, message);
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
    this.end();
  }

  private end(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    this.unsubscribe();
    if (this.principal) this.ctx.metrics.streamClients.dec();
    this.onEnd(this);
  }
}

/** The upgrade's session cookie when its Origin is ours (a foreign page could otherwise open the stream). */
function sessionCookie(request: FastifyRequest, ctx: ApiContext): string | undefined {
  const token = sessionCookieOf(request);
  if (!token) return undefined;
  try {
    checkOrigin(request, ctx.publicUrl, true);
    return token;
  } catch {
    return undefined;
  }
}

/**
 * The stream, with the WebSocket plugin registered in its scope alone: registered for the whole server, the plugin
 * adds two hooks and a handler wrapper to every route, about a tenth of a trivial request's cost on the server
 * (docs/api.md "Benchmark"). Upgrades still reach every route through the router; any other route answers them
 * in HTTP and the server closes the socket once the answer is out (`RequestCompletion`, http.ts).
 */
export const streamRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  const sessions = new Set<StreamSession>();
  const timer = setInterval(() => sessions.forEach((s) => s.tick()), ctx.heartbeatMs);
  timer.unref();
  app.addHook('preClose', async () => {
    clearInterval(timer);
    for (const session of [...sessions]) session.close(CLOSE_GOING_AWAY, 'server shutting down');
  });
  app.get(STREAM_PATH, { websocket: true, schema: { hide: true } }, (socket, request) => {
    sessions.add(new StreamSession(socket, ctx, (s) => sessions.delete(s), sessionCookie(request, ctx)));
  });
};
