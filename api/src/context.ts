import type { Clock, Logger, Pool } from '@vigil/core';
import type { Registry } from 'prom-client';
import type { TokenResolver } from './auth.js';
import type { Directory } from './directory.js';
import type { AlertFeed } from './feed.js';
import type { ApiMetricSet } from './metrics.js';

/** What the route plugins share; built once by `start()` and passed as plugin options. */
export interface ApiContext {
  db: Pool;
  feed: AlertFeed;
  directory: Directory;
  tokens: TokenResolver;
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
