import { z } from 'zod';
import { idSchema } from '@vigil/protocol';
import { MQTT_CLIENT_ENV, MQTT_CLIENT_ENV_SHAPE, mqttClient, parseEnv, portSchema, type MqttTuning } from '@vigil/core';

/** Tunables of the dispatch service, with the defaults `start()` uses (docs/homecare.md "Configuration"). */
export const DISPATCH_DEFAULTS = {
  username: 'svc-dispatch',
  clientId: 'vigil-dispatch',
  /** An order nobody accepted in this long goes to the station lead. */
  acceptMs: 5 * 60_000,
  /** The home-care response circle: on site within 15 minutes of the alert. */
  onSiteMs: 15 * 60_000,
  tickMs: 1_000,
  maxAttempts: 5,
  retryMs: 5_000,
  fromAddress: 'vigil@localhost',
};

const ms = z.coerce.number().int().positive();

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  VIGIL_MQTT_URL: z.string().min(1).optional(),
  VIGIL_MQTT_PORT: portSchema.default(1883),
  VIGIL_DISPATCH_MQTT_USERNAME: z.string().min(1).default(DISPATCH_DEFAULTS.username),
  VIGIL_DISPATCH_MQTT_PASSWORD: z.string().min(1).optional(),
  VIGIL_DISPATCH_CLIENT_ID: z.string().min(1).default(DISPATCH_DEFAULTS.clientId),
  VIGIL_DISPATCH_STATION: idSchema.optional(),
  ...MQTT_CLIENT_ENV_SHAPE,
  VIGIL_DISPATCH_ACCEPT_MS: ms.default(DISPATCH_DEFAULTS.acceptMs),
  VIGIL_DISPATCH_ON_SITE_MS: ms.default(DISPATCH_DEFAULTS.onSiteMs),
  VIGIL_DISPATCH_TICK_MS: ms.default(DISPATCH_DEFAULTS.tickMs),
  VIGIL_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(DISPATCH_DEFAULTS.maxAttempts),
  VIGIL_NOTIFY_RETRY_MS: ms.default(DISPATCH_DEFAULTS.retryMs),
  VIGIL_SMTP_URL: z.string().min(1).optional(),
  VIGIL_SMTP_FROM: z.string().min(1).default(DISPATCH_DEFAULTS.fromAddress),
  VIGIL_VAPID_PUBLIC_KEY: z.string().min(1).optional(),
  VIGIL_VAPID_PRIVATE_KEY: z.string().min(1).optional(),
  VIGIL_VAPID_SUBJECT: z.string().min(1).default('mailto:vigil@localhost'),
});

/** Every variable `configFromEnv` reads, with what it means (the CLI's `--help` prints these). */
export const DISPATCH_ENV: Record<keyof z.infer<typeof envSchema>, string> = {
  DATABASE_URL: 'PostgreSQL/TimescaleDB URL (default for `vigil dispatch`: the local cluster)',
  VIGIL_MQTT_URL: 'broker URL (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT)',
  VIGIL_MQTT_PORT: 'broker port when VIGIL_MQTT_URL is unset (default 1883)',
  VIGIL_DISPATCH_MQTT_USERNAME: `service account id (default ${DISPATCH_DEFAULTS.username})`,
  VIGIL_DISPATCH_MQTT_PASSWORD: 'service account secret (default: `vigil dispatch` issues a new one)',
  VIGIL_DISPATCH_CLIENT_ID: `MQTT client id of the durable alert-events session (default ${DISPATCH_DEFAULTS.clientId}; -<station> added with a station)`,
  VIGIL_DISPATCH_STATION: "only this home-care station's alerts, orders and notifications (default: every station's)",
  ...MQTT_CLIENT_ENV,
  VIGIL_DISPATCH_ACCEPT_MS: `escalate a work order nobody accepted to the station lead after this many ms (default ${DISPATCH_DEFAULTS.acceptMs})`,
  VIGIL_DISPATCH_ON_SITE_MS: `on-site target of a work order, ms after the alert (default ${DISPATCH_DEFAULTS.onSiteMs})`,
  VIGIL_DISPATCH_TICK_MS: `how often escalations and due deliveries are looked for, ms (default ${DISPATCH_DEFAULTS.tickMs})`,
  VIGIL_NOTIFY_MAX_ATTEMPTS: `attempts of one delivery before its channel is reported down (default ${DISPATCH_DEFAULTS.maxAttempts})`,
  VIGIL_NOTIFY_RETRY_MS: `wait before the first retry of a delivery; doubled for each further one (default ${DISPATCH_DEFAULTS.retryMs})`,
  VIGIL_SMTP_URL: 'SMTP server for email, e.g. smtps://user:pass@mail.example.org (default: email off)',
  VIGIL_SMTP_FROM: `sender address of email (default ${DISPATCH_DEFAULTS.fromAddress})`,
  VIGIL_VAPID_PUBLIC_KEY: 'VAPID public key of Web Push (`npx web-push generate-vapid-keys`; default: push off)',
  VIGIL_VAPID_PRIVATE_KEY: 'VAPID private key of Web Push',
  VIGIL_VAPID_SUBJECT: 'VAPID subject: a mailto: or https: contact of the operator (default mailto:vigil@localhost)',
};

export interface DispatchTimes {
  acceptMs: number;
  onSiteMs: number;
  tickMs: number;
}

export interface NotifyConfig {
  maxAttempts: number;
  retryMs: number;
  smtp?: { url: string; from: string };
  vapid?: { publicKey: string; privateKey: string; subject: string };
}

/** What `configFromEnv` returns: `start()` options, except that the database URL and password may be absent. */
export interface DispatchEnvConfig {
  databaseUrl?: string;
  mqtt: { url: string; username: string; password?: string; clientId: string; tuning: MqttTuning; ca?: Buffer };
  times: DispatchTimes;
  notify: NotifyConfig;
  station?: string;
}

/** Reads the dispatch configuration from the environment (zod-validated; a failure names every bad variable). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): DispatchEnvConfig {
  const e = parseEnv(envSchema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    mqtt: {
      url: e.VIGIL_MQTT_URL ?? `mqtt://127.0.0.1:${e.VIGIL_MQTT_PORT}`,
      username: e.VIGIL_DISPATCH_MQTT_USERNAME,
      password: e.VIGIL_DISPATCH_MQTT_PASSWORD,
      clientId: e.VIGIL_DISPATCH_CLIENT_ID,
      ...mqttClient(e),
    },
    station: e.VIGIL_DISPATCH_STATION,
    times: {
      acceptMs: e.VIGIL_DISPATCH_ACCEPT_MS,
      onSiteMs: e.VIGIL_DISPATCH_ON_SITE_MS,
      tickMs: e.VIGIL_DISPATCH_TICK_MS,
    },
    notify: {
      maxAttempts: e.VIGIL_NOTIFY_MAX_ATTEMPTS,
      retryMs: e.VIGIL_NOTIFY_RETRY_MS,
      smtp: e.VIGIL_SMTP_URL ? { url: e.VIGIL_SMTP_URL, from: e.VIGIL_SMTP_FROM } : undefined,
      vapid:
        e.VIGIL_VAPID_PUBLIC_KEY && e.VIGIL_VAPID_PRIVATE_KEY
          ? {
              publicKey: e.VIGIL_VAPID_PUBLIC_KEY,
              privateKey: e.VIGIL_VAPID_PRIVATE_KEY,
              subject: e.VIGIL_VAPID_SUBJECT,
            }
          : undefined,
    },
  };
}
