import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MQTT_CLIENT_ENV, MQTT_CLIENT_ENV_SHAPE, mqttClient, parseEnv, portSchema, type MqttTuning } from '@vigil/core';
import { idSchema } from '@vigil/protocol';
import type { EscalationPolicy } from './alert-book.js';

/** Tunables of the alerts service, with the defaults `start()` uses. */
export const ALERTS_DEFAULTS = {
  username: 'svc-alerts',
  clientId: 'vigil-alerts',
  repeatMs: 60_000,
  officerMs: 180_000,
  high: { repeatMs: 10 * 60_000, officerMs: 30 * 60_000 },
  warning: { repeatMs: 30 * 60_000, officerMs: 120 * 60_000 },
  tickMs: 1_000,
  capPerMinute: 10,
  durableWaitMs: 150,
  updateIntervalMs: 30_000,
  replayWindowMs: 35 * 60_000,
  registryRefreshMs: 30_000,
  commandPollMs: 2_000,
  unseenAfterMs: 10_000,
};

/** The disk backlog's folder when VIGIL_ALERTS_DATA_DIR is unset: `<repo>/.data/alerts`. */
export const DEFAULT_ALERTS_DATA_DIR = path.resolve(fileURLToPath(new URL('../../.data/alerts', import.meta.url)));

/** The escalation pace `start()` uses unless told otherwise (docs/alerts.md "Escalation"). */
export const DEFAULT_ESCALATION: EscalationPolicy = {
  repeatMs: ALERTS_DEFAULTS.repeatMs,
  officerMs: ALERTS_DEFAULTS.officerMs,
  high: ALERTS_DEFAULTS.high,
  warning: ALERTS_DEFAULTS.warning,
};

const ms = z.coerce.number().int().positive();
const msOrOff = z.coerce.number().int().min(0);

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  VIGIL_MQTT_URL: z.string().min(1).optional(),
  VIGIL_MQTT_PORT: portSchema.default(1883),
  VIGIL_ALERTS_MQTT_USERNAME: z.string().min(1).default(ALERTS_DEFAULTS.username),
  VIGIL_ALERTS_MQTT_PASSWORD: z.string().min(1).optional(),
  VIGIL_ALERTS_CLIENT_ID: z.string().min(1).default(ALERTS_DEFAULTS.clientId),
  VIGIL_ALERTS_DATA_DIR: z.string().min(1).default(DEFAULT_ALERTS_DATA_DIR),
  VIGIL_ALERTS_FACILITIES: z
    .string()
    .transform((list) => list.split(',').map((id) => id.trim()))
    .pipe(z.array(idSchema).min(1))
    .optional(),
  ...MQTT_CLIENT_ENV_SHAPE,
  VIGIL_ALERTS_ESCALATION_REPEAT_MS: ms.default(ALERTS_DEFAULTS.repeatMs),
  VIGIL_ALERTS_ESCALATION_OFFICER_MS: ms.default(ALERTS_DEFAULTS.officerMs),
  VIGIL_ALERTS_ESCALATION_HIGH_MS: msOrOff.default(ALERTS_DEFAULTS.high.repeatMs),
  VIGIL_ALERTS_ESCALATION_HIGH_OFFICER_MS: ms.default(ALERTS_DEFAULTS.high.officerMs),
  VIGIL_ALERTS_ESCALATION_WARNING_MS: msOrOff.default(ALERTS_DEFAULTS.warning.repeatMs),
  VIGIL_ALERTS_ESCALATION_WARNING_OFFICER_MS: ms.default(ALERTS_DEFAULTS.warning.officerMs),
  VIGIL_ALERTS_TICK_MS: ms.default(ALERTS_DEFAULTS.tickMs),
  VIGIL_ALERTS_CAP_PER_MINUTE: z.coerce.number().int().min(0).default(ALERTS_DEFAULTS.capPerMinute),
  VIGIL_ALERTS_DURABLE_WAIT_MS: ms.default(ALERTS_DEFAULTS.durableWaitMs),
  VIGIL_ALERTS_REPLAY_WINDOW_MS: ms.default(ALERTS_DEFAULTS.replayWindowMs),
  VIGIL_ALERTS_UNSEEN_MS: msOrOff.default(ALERTS_DEFAULTS.unseenAfterMs),
});

/** Every variable `configFromEnv` reads, with what it means (the CLI's `--help` prints these). */
export const ALERTS_ENV: Record<keyof z.infer<typeof envSchema>, string> = {
  DATABASE_URL: 'PostgreSQL/TimescaleDB URL (default for `vigil alerts`: the local cluster)',
  VIGIL_MQTT_URL: 'broker URL (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT)',
  VIGIL_MQTT_PORT: 'broker port when VIGIL_MQTT_URL is unset (default 1883)',
  VIGIL_ALERTS_MQTT_USERNAME: `service account id (default ${ALERTS_DEFAULTS.username})`,
  VIGIL_ALERTS_MQTT_PASSWORD: 'service account secret (default: `vigil alerts` issues a new one)',
  VIGIL_ALERTS_CLIENT_ID: `MQTT client id of the events session; the readings session's adds -readings (default ${ALERTS_DEFAULTS.clientId})`,
  VIGIL_ALERTS_DATA_DIR: 'backlog of alert events not yet in the database, on local disk (default <repo>/.data/alerts)',
  VIGIL_ALERTS_FACILITIES:
    'comma-separated facility ids this worker owns; each worker its own, with its own client id and data dir (default: all)',
  ...MQTT_CLIENT_ENV,
  VIGIL_ALERTS_ESCALATION_REPEAT_MS: `escalate an unacknowledged critical alert after, and every, this many ms (default ${ALERTS_DEFAULTS.repeatMs})`,
  VIGIL_ALERTS_ESCALATION_OFFICER_MS: `escalate to the safety officer from this many ms after raising (default ${ALERTS_DEFAULTS.officerMs})`,
  VIGIL_ALERTS_ESCALATION_HIGH_MS: `remind about an unacknowledged high alert after, and every, this many ms; 0: never (default ${ALERTS_DEFAULTS.high.repeatMs})`,
  VIGIL_ALERTS_ESCALATION_HIGH_OFFICER_MS: `high alerts reach the safety officer from this many ms after raising (default ${ALERTS_DEFAULTS.high.officerMs})`,
  VIGIL_ALERTS_ESCALATION_WARNING_MS: `remind about an unacknowledged warning after, and every, this many ms; 0: never (default ${ALERTS_DEFAULTS.warning.repeatMs})`,
  VIGIL_ALERTS_ESCALATION_WARNING_OFFICER_MS: `warnings reach the safety officer from this many ms after raising (default ${ALERTS_DEFAULTS.warning.officerMs})`,
  VIGIL_ALERTS_TICK_MS: `wall-clock tick of silence rules and escalation, ms (default ${ALERTS_DEFAULTS.tickMs})`,
  VIGIL_ALERTS_CAP_PER_MINUTE: `new non-critical alerts a facility may get a minute; more are held back, with an alert about it; 0: no cap (default ${ALERTS_DEFAULTS.capPerMinute})`,
  VIGIL_ALERTS_DURABLE_WAIT_MS: `longest a database write may delay publishing an event, ms (default ${ALERTS_DEFAULTS.durableWaitMs})`,
  VIGIL_ALERTS_REPLAY_WINDOW_MS: `stored history the rules replay on start, ms (default ${ALERTS_DEFAULTS.replayWindowMs})`,
  VIGIL_ALERTS_UNSEEN_MS: `escalate to the safety officer an open alert no display showed within this many ms; 0: never (default ${ALERTS_DEFAULTS.unseenAfterMs})`,
};

/** What `configFromEnv` returns: `start()` options, except that the database URL and password may be absent. */
export interface AlertsEnvConfig {
  databaseUrl?: string;
  dataDir: string;
  facilities?: string[];
  mqtt: { url: string; username: string; password?: string; clientId: string; tuning: MqttTuning; ca?: Buffer };
  escalation: EscalationPolicy;
  tickMs: number;
  capPerMinute: number;
  durableWaitMs: number;
  replayWindowMs: number;
  unseenAfterMs: number;
}

/** Reads the alerts configuration from the environment (zod-validated; a failure names every bad variable). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AlertsEnvConfig {
  const e = parseEnv(envSchema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: e.VIGIL_ALERTS_DATA_DIR,
    ...(e.VIGIL_ALERTS_FACILITIES ? { facilities: e.VIGIL_ALERTS_FACILITIES } : {}),
    mqtt: {
      url: e.VIGIL_MQTT_URL ?? `mqtt://127.0.0.1:${e.VIGIL_MQTT_PORT}`,
      username: e.VIGIL_ALERTS_MQTT_USERNAME,
      password: e.VIGIL_ALERTS_MQTT_PASSWORD,
      clientId: e.VIGIL_ALERTS_CLIENT_ID,
      ...mqttClient(e),
    },
    escalation: {
      repeatMs: e.VIGIL_ALERTS_ESCALATION_REPEAT_MS,
      officerMs: e.VIGIL_ALERTS_ESCALATION_OFFICER_MS,
      high: { repeatMs: e.VIGIL_ALERTS_ESCALATION_HIGH_MS, officerMs: e.VIGIL_ALERTS_ESCALATION_HIGH_OFFICER_MS },
      warning: {
        repeatMs: e.VIGIL_ALERTS_ESCALATION_WARNING_MS,
        officerMs: e.VIGIL_ALERTS_ESCALATION_WARNING_OFFICER_MS,
      },
    },
    tickMs: e.VIGIL_ALERTS_TICK_MS,
    capPerMinute: e.VIGIL_ALERTS_CAP_PER_MINUTE,
    durableWaitMs: e.VIGIL_ALERTS_DURABLE_WAIT_MS,
    replayWindowMs: e.VIGIL_ALERTS_REPLAY_WINDOW_MS,
    unseenAfterMs: e.VIGIL_ALERTS_UNSEEN_MS,
  };
}
