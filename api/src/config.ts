import {
  MQTT_CLIENT_ENV,
  MQTT_CLIENT_ENV_SHAPE,
  mqttClient,
  parseEnv,
  portSchema,
  type Clock,
  type Logger,
  type MqttTuning,
} from '@vigil/core';
import type { Registry } from 'prom-client';
import { isIP } from 'node:net';
import { z } from 'zod';

/** Options of the api service's `start()`. Only `port`, `databaseUrl` and `mqtt` are required. */
export interface ApiOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  databaseUrl: string;
  /**
   * Broker connection with a service account of role `api` (subscribes to `vigil/internal/v1/#`). The client id
   * is `<clientId>-<instanceId>` (defaults `vigil-api` and a random one): one session per instance.
   */
  mqtt: ApiMqttOptions & { password: string };
  logger?: Logger;
  /** Served on /metrics; `vigil start` passes one registry that every service registers on. */
  metrics?: Registry;
  /** Externally visible base URL (e.g. behind a reverse proxy); default `http://host:port`. */
  publicUrl?: string;
  /**
   * Reverse proxies (IP addresses or CIDR ranges) whose `X-Forwarded-For`, `-Proto` and `-Host` are believed;
   * from anyone else they are ignored. Default none: the client address is the TCP peer's.
   */
  trustedProxies?: string[];
  clock?: Clock;
  /** WebSocket heartbeat interval (default 10 s, docs/api.md "WebSocket stream"). */
  heartbeatMs?: number;
  /** How long a WebSocket client has to send its hello (default 5 s). */
  helloTimeoutMs?: number;
  /** How long acknowledge / resolve / drill wait for the alerts service (default 5 s). */
  commandTimeoutMs?: number;
  /** How long a resolved bearer token is trusted before it is looked up again (default 10 s). */
  tokenCacheMs?: number;
  /** How long a sign-in session lasts (default 12 h, docs/api.md "Sign-in, sessions and tokens"). */
  sessionTtlMs?: number;
  /** Days kept of a data class without a retention setting (default 180, as ingest's VIGIL_RETENTION_DAYS). */
  retentionDays?: number;
  /** How many recent alert events are kept in memory for resuming streams (default 10 000). */
  ringSize?: number;
  /** Web Push: the VAPID public key dispatch signs with, served to the staff page (docs/homecare.md). */
  vapidPublicKey?: string;
}

/** The api's broker connection; `configFromEnv` may leave the password to the CLI. */
export interface ApiMqttOptions {
  url: string;
  username: string;
  password?: string;
  /** Prefix of the per-instance client id (default `vigil-api`). */
  clientId?: string;
  /** The instance's suffix (default: random at each start); a stable name (host, pod) lets a restart resume. */
  instanceId?: string;
  tuning?: Partial<MqttTuning>;
  /** PEM CA of an `mqtts://` broker (VIGIL_MQTT_CA). */
  ca?: Buffer;
}

/** What `configFromEnv` yields: `databaseUrl` and the broker password may be absent (the CLI fills them in). */
export type ApiEnvConfig = Omit<ApiOptions, 'databaseUrl' | 'mqtt'> & {
  databaseUrl?: string;
  mqtt: ApiMqttOptions;
};

/** An IPv4 or IPv6 address, optionally with a prefix length (`10.0.0.0/8`, `fd00::/8`). */
const proxyEntrySchema = z.string().refine(
  (entry) => {
    const [address, prefix, extra] = entry.split('/');
    const version = isIP(address ?? '');
    if (!version || extra !== undefined) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
  },
  { message: 'expected IP addresses or CIDR ranges separated by commas' },
);
const trustedProxiesSchema = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .pipe(z.array(proxyEntrySchema));

const envSchema = z.object({
  VIGIL_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_HTTP_PORT: portSchema.default(8080),
  VIGIL_PUBLIC_URL: z.url().optional(),
  VIGIL_TRUSTED_PROXIES: trustedProxiesSchema,
  DATABASE_URL: z.string().min(1).optional(),
  VIGIL_MQTT_URL: z.string().min(1).optional(),
  VIGIL_MQTT_PORT: portSchema.default(1883),
  VIGIL_API_MQTT_USERNAME: z.string().min(1).default('svc-api'),
  VIGIL_API_MQTT_PASSWORD: z.string().min(1).optional(),
  VIGIL_API_MQTT_CLIENT_ID: z.string().min(1).optional(),
  VIGIL_API_MQTT_INSTANCE: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  ...MQTT_CLIENT_ENV_SHAPE,
  VIGIL_API_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  VIGIL_VAPID_PUBLIC_KEY: z.string().min(1).optional(),
});

/** Every environment variable of the api with its meaning (`vigil api --help`, docs/api.md). */
export const API_ENV: Record<keyof z.infer<typeof envSchema>, string> = {
  VIGIL_HTTP_HOST: 'interface to listen on (default 127.0.0.1)',
  VIGIL_HTTP_PORT: 'HTTP + WebSocket port (default 8080; 0 picks a free one)',
  VIGIL_PUBLIC_URL: 'externally visible base URL, e.g. behind a reverse proxy (default http://host:port)',
  VIGIL_TRUSTED_PROXIES:
    'comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (default none)',
  DATABASE_URL: 'PostgreSQL/TimescaleDB URL (default for `vigil api`: the local cluster)',
  VIGIL_MQTT_URL: 'broker URL (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT)',
  VIGIL_MQTT_PORT: 'broker port when VIGIL_MQTT_URL is unset (default 1883)',
  VIGIL_API_MQTT_USERNAME: 'service account id, role api (default svc-api)',
  VIGIL_API_MQTT_PASSWORD: 'service account secret (default: `vigil api` issues a new one)',
  VIGIL_API_MQTT_CLIENT_ID: 'prefix of the MQTT client id; each instance adds -<instance> (default vigil-api)',
  VIGIL_API_MQTT_INSTANCE:
    "this instance's client id suffix, e.g. the host name, so a restart resumes its session (default: random)",
  ...MQTT_CLIENT_ENV,
  VIGIL_API_COMMAND_TIMEOUT_MS: 'how long acknowledge/resolve/drill wait for the alerts service (default 5000)',
  VIGIL_VAPID_PUBLIC_KEY: "Web Push VAPID public key, dispatch's, served to the staff page (default: push off)",
};

/**
 * Reads the api's configuration from the environment (zod-validated; a failure names every bad variable).
 * See docs/api.md "Running" for the variables.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiEnvConfig {
  const e = parseEnv(envSchema, env);
  return {
    host: e.VIGIL_HTTP_HOST,
    port: e.VIGIL_HTTP_PORT,
    publicUrl: e.VIGIL_PUBLIC_URL,
    trustedProxies: e.VIGIL_TRUSTED_PROXIES,
    databaseUrl: e.DATABASE_URL,
    mqtt: {
      url: e.VIGIL_MQTT_URL ?? `mqtt://127.0.0.1:${e.VIGIL_MQTT_PORT}`,
      username: e.VIGIL_API_MQTT_USERNAME,
      password: e.VIGIL_API_MQTT_PASSWORD,
      clientId: e.VIGIL_API_MQTT_CLIENT_ID,
      instanceId: e.VIGIL_API_MQTT_INSTANCE,
      ...mqttClient(e),
    },
    commandTimeoutMs: e.VIGIL_API_COMMAND_TIMEOUT_MS,
    vapidPublicKey: e.VIGIL_VAPID_PUBLIC_KEY,
  };
}
