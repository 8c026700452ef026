import type { Client } from 'aedes';
import type { Clock, Logger } from '@vigil/core';
import type { Principal } from '../acl/rights.js';
import type { CredentialChecker } from '../auth/credentials.js';
import type { GatewayLimits } from '../config.js';
import type { RefusalReason } from '../errors.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { GatewayMetrics } from '../metrics.js';
import type { StoredMessage } from '../persistence/stored-message.js';
import type { RegionFeed } from '../uplink/region-feed.js';
import type { RouteBeforeAck } from './route-before-ack.js';

/** What the aedes hooks share: one per running gateway, never module state. */
export interface HookContext {
  log: Logger;
  clock: Clock;
  metrics: GatewayMetrics;
  limits: GatewayLimits;
  credentials: CredentialChecker;
  principals: WeakMap<Client, Principal>;
  rateLimiter: RateLimiter;
  /** Routes a QoS 1 message before aedes acknowledges it (set once the broker exists). */
  routeBeforeAck: RouteBeforeAck;
  /** The store-and-forward uplink, when an upstream broker is configured. */
  uplink: UplinkSink | null;
  /** The regional hub's feed (with `region`); raw device messages then go up only if the facility opted in. */
  region: { feed: RegionFeed; shareRaw: boolean } | null;
  /** Clients whose Last Will went out as they closed: their status row says `will`. */
  willsPublished: WeakSet<Client>;
}

/** The side of the uplink outbox the hooks see: append a message (resolves once on disk), and a nudge after. */
export interface UplinkSink {
  append(message: StoredMessage): Promise<void>;
  notify(): void;
}

/** Counts and logs one refusal. Logged at warn with the client and reason; never with payload contents. */
export function refuse(
  ctx: HookContext,
  reason: RefusalReason,
  fields: Record<string, unknown>,
  detail?: string,
): void {
  ctx.metrics.refusals.inc({ reason });
  ctx.log.warn({ ...fields, reason, detail }, 'refused');
}
