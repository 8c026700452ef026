import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError, flagSchema, parseEnv, portSchema, type Clock, type Logger } from '@vigil/core';
import type { Registry } from 'prom-client';

/** Where the gateway keeps its broker state and outbox unless told otherwise: `<repo>/.data/gateway`. */
export const DEFAULT_DATA_DIR = path.resolve(fileURLToPath(new URL('../../.data/gateway', import.meta.url)));

/** Connection to the upstream broker of the store-and-forward uplink. */
export interface UpstreamOptions {
  url: string;
  username?: string;
  password?: string;
  /** Client id at the upstream broker; default `vigil-gateway-<hostname>`. */
  clientId?: string;
  /** Wait between reconnect attempts; default 2000 ms. */
  reconnectMs?: number;
  /** PEM file of the CA that signed the upstream broker's certificate (for an `mqtts://` url). */
  caFile?: string;
}

// ---------------------------------------------------------------- region uplink (docs/hub.md)
/** What the uplink sends the regional hub besides (or instead of) raw device messages. */
export interface RegionOptions {
  /** The facility this gateway reports for: its prefix `vigil/region/v1/<facility>/` at the upstream broker. */
  facility: string;
  /** Seconds between facility summaries; the hub flags the facility when silent longer. Default 60. */
  summaryIntervalS: number;
  /** Opt-in: also forward raw device messages (vital signs among them). Default false. */
  shareRaw: boolean;
  /** Hours of the trailing window whose coverage audit gives the summary's coverage score. Default 24. */
  coverageWindowH?: number;
  /** Seconds a computed coverage score is reused by later summaries (the audit is not free). Default 900. */
  coverageEveryS?: number;
}

const regionEnvSchema = z.object({
  VIGIL_UPSTREAM_CA_FILE: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  VIGIL_REGION_FACILITY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  VIGIL_REGION_SUMMARY_S: z.coerce.number().int().positive().default(60),
  VIGIL_REGION_SHARE_RAW: z.stringbool().default(false),
  VIGIL_REGION_COVERAGE_WINDOW_H: z.coerce.number().int().positive().max(8784).default(24),
  VIGIL_REGION_COVERAGE_EVERY_S: z.coerce.number().int().positive().default(900),
});

const REGION_ENV: Record<keyof z.infer<typeof regionEnvSchema>, string> = {
  VIGIL_UPSTREAM_CA_FILE: 'PEM CA file for an mqtts:// upstream broker',
  VIGIL_REGION_FACILITY: 'facility reported to the regional hub (unset: raw device messages only, as before)',
  VIGIL_REGION_SUMMARY_S: 'seconds between facility summaries to the hub (default 60)',
  VIGIL_REGION_SHARE_RAW:
    'with VIGIL_REGION_FACILITY: also forward raw device messages, vital signs included (default false)',
  VIGIL_REGION_COVERAGE_WINDOW_H:
    "hours of the trailing coverage audit behind each summary's coverage score (default 24)",
  VIGIL_REGION_COVERAGE_EVERY_S: 'seconds a coverage score is reused before the audit runs again (default 900)',
};

function regionFromEnv(env: NodeJS.ProcessEnv): { caFile?: string; region?: RegionOptions } {
  const e = parseEnv(regionEnvSchema, env);
  return {
    ...(e.VIGIL_UPSTREAM_CA_FILE ? { caFile: e.VIGIL_UPSTREAM_CA_FILE } : {}),
    ...(e.VIGIL_REGION_FACILITY
      ? {
          region: {
            facility: e.VIGIL_REGION_FACILITY,
            summaryIntervalS: e.VIGIL_REGION_SUMMARY_S,
            shareRaw: e.VIGIL_REGION_SHARE_RAW,
            coverageWindowH: e.VIGIL_REGION_COVERAGE_WINDOW_H,
            coverageEveryS: e.VIGIL_REGION_COVERAGE_EVERY_S,
          },
        }
      : {}),
  };
}
// ----------------------------------------------------------------

/** Abuse limits; every one of them is counted in metrics when it bites. */
export interface GatewayLimits {
  /** Largest MQTT packet accepted, bytes (fixed header included). PROTOCOL.md: 16 KiB. */
  maxPacketBytes: number;
  /** A socket that sends no CONNECT within this is closed. */
  connectTimeoutMs: number;
  /** A subscriber whose socket stays full this long is disconnected, so it cannot stall the others. */
  drainTimeoutMs: number;
  /** Packets a client may pipeline before its CONNECT is answered. */
  preConnectQueue: number;
  /** Per-device token bucket: sustained messages per second, and burst. Exceeding it disconnects. */
  ratePerSecond: number;
  rateBurst: number;
  /** QoS 1 messages kept for one offline persistent session; beyond it new ones are refused for it, counted. */
  maxSessionQueue: number;
  /** Messages kept in the uplink outbox; beyond it the oldest are dropped, counted and logged as errors. */
  maxOutbox: number;
  /** Open sockets, authenticated or not. */
  maxConnections: number;
  /** Longest keepalive a client may ask for (PROTOCOL.md: ≤ 60 s); 0 or more is held to it. */
  maxKeepaliveSeconds: number;
}

/** How long a verified login is remembered (memory and disk): a restart's reconnect storm skips argon2. */
export const DEFAULT_AUTH_CACHE_TTL_MS = 12 * 3600_000;

export const DEFAULT_LIMITS: GatewayLimits = {
  maxPacketBytes: 16 * 1024,
  connectTimeoutMs: 10_000,
  drainTimeoutMs: 30_000,
  preConnectQueue: 42,
  ratePerSecond: 20,
  rateBurst: 100,
  maxSessionQueue: 1_000_000,
  maxOutbox: 5_000_000,
  maxConnections: 20_000,
  maxKeepaliveSeconds: 60,
};

export interface GatewayOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one (the handle reports it). */
  port: number;
  databaseUrl: string;
  /** Broker state (sessions, queued QoS 1, retained, wills) and the uplink outbox; default `<repo>/.data/gateway`. */
  dataDir?: string;
  upstream?: UpstreamOptions;
  /** A TLS listener beside (or, with `only`, instead of) the plain one. */
  tls?: TlsListenerOptions;
  /** With `upstream`: report to the regional hub (docs/hub.md). */
  region?: RegionOptions;
  limits?: Partial<GatewayLimits>;
  /** How long a successful secret verification is remembered (argon2 is slow on purpose); default 12 h, 0 disables. */
  authCacheTtlMs?: number;
  logger?: Logger;
  metrics?: Registry;
  clock?: Clock;
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

// --- TLS listener (devices over the internet) ---

/** The TLS listener: devices outside the facility's network connect with `mqtts://`. */
export interface TlsListenerOptions {
  /** Interface of its own; default the plain listener's (`host`). */
  host?: string;
  /** Port of its own; default 8883, registered with IANA for MQTT over TLS (MQTT 3.1.1 §4.2). 0 picks a free one. */
  port?: number;
  /** PEM files: the server's certificate (chain) and private key. */
  certFile: string;
  keyFile: string;
  /** PEM CA bundle for client certificates (mTLS, MQTT 3.1.1 §5.4.1). With it, clients are asked for one. */
  caFile?: string;
  /** Refuse the handshake of a client without a certificate signed by `caFile` (needs `caFile`). */
  requireClientCert?: boolean;
  /** Serve TLS only: no plain TCP listener. */
  only?: boolean;
}

export const DEFAULT_TLS_PORT = 8883;

const tlsEnvSchema = z.object({
  VIGIL_MQTT_TLS_CERT: optionalString,
  VIGIL_MQTT_TLS_KEY: optionalString,
  VIGIL_MQTT_TLS_CA: optionalString,
  VIGIL_MQTT_TLS_HOST: optionalString,
  VIGIL_MQTT_TLS_PORT: portSchema.optional(),
  VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT: flagSchema.optional(),
  VIGIL_MQTT_TLS_ONLY: flagSchema.optional(),
});

const TLS_ENV: Record<keyof z.infer<typeof tlsEnvSchema>, string> = {
  VIGIL_MQTT_TLS_CERT: 'PEM certificate (chain) of the TLS listener; with VIGIL_MQTT_TLS_KEY turns it on',
  VIGIL_MQTT_TLS_KEY: 'PEM private key of the TLS listener',
  VIGIL_MQTT_TLS_CA: 'PEM CA bundle for client certificates (mTLS: clients are asked for one)',
  VIGIL_MQTT_TLS_HOST:
    'interface of the TLS listener (default VIGIL_MQTT_HOST; e.g. 0.0.0.0 with plain MQTT on 127.0.0.1)',
  VIGIL_MQTT_TLS_PORT: `TLS listener port (default ${DEFAULT_TLS_PORT}; 0 picks a free one)`,
  VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT: 'true: refuse a client without a certificate signed by VIGIL_MQTT_TLS_CA',
  VIGIL_MQTT_TLS_ONLY: 'true: no plain TCP listener, TLS only',
};

function tlsFromEnv(e: z.infer<typeof tlsEnvSchema>): TlsListenerOptions | undefined {
  if (!e.VIGIL_MQTT_TLS_CERT && !e.VIGIL_MQTT_TLS_KEY) {
    if (e.VIGIL_MQTT_TLS_ONLY || e.VIGIL_MQTT_TLS_CA || e.VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT)
      throw ConfigError(
        'VIGIL_MQTT_TLS_CERT and VIGIL_MQTT_TLS_KEY are required by the other VIGIL_MQTT_TLS_* settings',
      );
    return undefined;
  }
  if (!e.VIGIL_MQTT_TLS_CERT || !e.VIGIL_MQTT_TLS_KEY)
    throw ConfigError('VIGIL_MQTT_TLS_CERT and VIGIL_MQTT_TLS_KEY must be set together');
  if (e.VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT && !e.VIGIL_MQTT_TLS_CA)
    throw ConfigError('VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT needs VIGIL_MQTT_TLS_CA');
  return {
    certFile: e.VIGIL_MQTT_TLS_CERT,
    keyFile: e.VIGIL_MQTT_TLS_KEY,
    port: e.VIGIL_MQTT_TLS_PORT ?? DEFAULT_TLS_PORT,
    ...(e.VIGIL_MQTT_TLS_HOST ? { host: e.VIGIL_MQTT_TLS_HOST } : {}),
    ...(e.VIGIL_MQTT_TLS_CA ? { caFile: e.VIGIL_MQTT_TLS_CA } : {}),
    requireClientCert: e.VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT ?? false,
    only: e.VIGIL_MQTT_TLS_ONLY ?? false,
  };
}

// --- end TLS listener ---

const envSchema = z.object({
  VIGIL_MQTT_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_MQTT_PORT: portSchema.default(1883),
  DATABASE_URL: z
    .string()
    .min(1, 'DATABASE_URL is required (or use `vigil gateway`, which falls back to the local cluster)'),
  VIGIL_GATEWAY_DATA_DIR: optionalString,
  VIGIL_UPSTREAM_URL: optionalString.pipe(z.url().optional()),
  VIGIL_UPSTREAM_USERNAME: optionalString,
  VIGIL_UPSTREAM_PASSWORD: optionalString,
  VIGIL_UPSTREAM_CLIENT_ID: optionalString,
  VIGIL_GATEWAY_RATE_PER_SECOND: z.coerce.number().positive().optional(),
  VIGIL_GATEWAY_RATE_BURST: z.coerce.number().int().positive().optional(),
  VIGIL_GATEWAY_MAX_CONNECTIONS: z.coerce.number().int().positive().optional(),
  ...tlsEnvSchema.shape,
});

/** Every environment variable the gateway reads, with its meaning (for `vigil gateway --help` and docs). */
export const GATEWAY_ENV: Record<keyof z.infer<typeof envSchema> | keyof typeof REGION_ENV, string> = {
  ...REGION_ENV,
  VIGIL_MQTT_HOST: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)',
  VIGIL_MQTT_PORT: 'MQTT port (default 1883; 0 picks a free one)',
  DATABASE_URL: 'PostgreSQL/TimescaleDB URL of the device registry (`vigil gateway`: else the local cluster)',
  VIGIL_GATEWAY_DATA_DIR: 'broker state and uplink outbox, on disk (default <repo>/.data/gateway)',
  VIGIL_UPSTREAM_URL: 'upstream broker for store-and-forward, e.g. mqtt://cloud:1883 (unset: no uplink)',
  VIGIL_UPSTREAM_USERNAME: 'username at the upstream broker',
  VIGIL_UPSTREAM_PASSWORD: 'password at the upstream broker',
  VIGIL_UPSTREAM_CLIENT_ID: 'client id at the upstream broker (default vigil-gateway-<hostname>)',
  VIGIL_GATEWAY_RATE_PER_SECOND: 'per-device sustained message rate before disconnect (default 20)',
  VIGIL_GATEWAY_RATE_BURST: 'per-device burst (default 100)',
  VIGIL_GATEWAY_MAX_CONNECTIONS: 'open sockets at most, per listener (default 20000)',
  ...TLS_ENV,
};

/** Gateway options from the environment (zod-validated); see docs/gateway.md for every variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayOptions {
  const e = parseEnv(envSchema, env);
  const { caFile, region } = regionFromEnv(env);
  const limits: Partial<GatewayLimits> = {};
  if (e.VIGIL_GATEWAY_RATE_PER_SECOND !== undefined) limits.ratePerSecond = e.VIGIL_GATEWAY_RATE_PER_SECOND;
  if (e.VIGIL_GATEWAY_RATE_BURST !== undefined) limits.rateBurst = e.VIGIL_GATEWAY_RATE_BURST;
  if (e.VIGIL_GATEWAY_MAX_CONNECTIONS !== undefined) limits.maxConnections = e.VIGIL_GATEWAY_MAX_CONNECTIONS;
  const tls = tlsFromEnv(e);
  return {
    host: e.VIGIL_MQTT_HOST,
    port: e.VIGIL_MQTT_PORT,
    databaseUrl: e.DATABASE_URL,
    ...(e.VIGIL_GATEWAY_DATA_DIR ? { dataDir: e.VIGIL_GATEWAY_DATA_DIR } : {}),
    ...(e.VIGIL_UPSTREAM_URL
      ? {
          upstream: {
            url: e.VIGIL_UPSTREAM_URL,
            ...(e.VIGIL_UPSTREAM_USERNAME ? { username: e.VIGIL_UPSTREAM_USERNAME } : {}),
            ...(e.VIGIL_UPSTREAM_PASSWORD ? { password: e.VIGIL_UPSTREAM_PASSWORD } : {}),
            ...(e.VIGIL_UPSTREAM_CLIENT_ID ? { clientId: e.VIGIL_UPSTREAM_CLIENT_ID } : {}),
            ...(caFile ? { caFile } : {}),
          },
          ...(region ? { region } : {}),
        }
      : {}),
    ...(tls ? { tls } : {}),
    limits,
  };
}

/** The upstream client id used when none is configured: stable per machine, so the session survives restarts. */
export function defaultUpstreamClientId(): string {
  return `vigil-gateway-${os.hostname().replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 64);
}
