import os from 'node:os';
import {
  MQTT_TUNING_ENV,
  MQTT_TUNING_ENV_SHAPE,
  mqttTuning,
  parseEnv,
  portSchema,
  type Clock,
  type Logger,
  type MqttTuning,
} from '@vigil/core';
import { z } from 'zod';

/** `start()` options of the regional hub (docs/hub.md). */
export interface HubOptions {
  databaseUrl: string;
  mqtt: {
    url: string;
    username: string;
    password: string;
    /** PEM CA file of the broker's certificate (mqtts://). */
    caFile?: string;
    /** The shared subscription's group: every worker of one hub uses the same. */
    group: string;
    /** This worker's stable name: its session (`vigil-hub-<workerId>`) survives a restart. */
    workerId: string;
    tuning?: Partial<MqttTuning>;
  };
  /** The region API; absent: a worker only. */
  http?: { host: string; port: number; token: string };
  logger?: Logger;
  clock?: Clock;
}

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const envSchema = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required: the regional TimescaleDB'),
  VIGIL_HUB_MQTT_URL: z.string().min(1, 'VIGIL_HUB_MQTT_URL is required: the region broker, e.g. mqtts://emqx:8883'),
  VIGIL_HUB_MQTT_USERNAME: z.string().min(1).default('vigil-hub'),
  VIGIL_HUB_MQTT_PASSWORD: z.string().min(1, 'VIGIL_HUB_MQTT_PASSWORD is required'),
  VIGIL_HUB_CA_FILE: z.string().min(1).optional(),
  VIGIL_HUB_SHARE_GROUP: id.default('vigil-hub'),
  VIGIL_HUB_WORKER_ID: id.default(
    os
      .hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 64),
  ),
  VIGIL_HUB_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_HUB_HTTP_PORT: portSchema.default(8090),
  VIGIL_HUB_TOKEN: z.string().min(16, "VIGIL_HUB_TOKEN (the regulators' bearer token) needs at least 16 characters"),
  ...MQTT_TUNING_ENV_SHAPE,
});

/** Every variable `configFromEnv` reads, with its meaning (for `vigil hub --help`). */
export const HUB_ENV_HELP: Record<keyof z.infer<typeof envSchema>, string> = {
  DATABASE_URL: 'the regional TimescaleDB (migrated with `vigil db migrate`)',
  VIGIL_HUB_MQTT_URL: 'the region broker (Mosquitto 2, EMQX), mqtt:// or mqtts://',
  VIGIL_HUB_MQTT_USERNAME: 'the hub account at the region broker (default vigil-hub)',
  VIGIL_HUB_MQTT_PASSWORD: 'its password',
  VIGIL_HUB_CA_FILE: 'PEM CA of the broker certificate, for mqtts://',
  VIGIL_HUB_SHARE_GROUP: 'MQTT 5 shared-subscription group; every worker of one hub the same (default vigil-hub)',
  VIGIL_HUB_WORKER_ID: "this worker's stable name; its broker session survives restarts (default the hostname)",
  VIGIL_HUB_HTTP_HOST: 'interface of the region API (default 127.0.0.1)',
  VIGIL_HUB_HTTP_PORT: 'port of the region API (default 8090)',
  VIGIL_HUB_TOKEN: 'bearer token regulators send to the region API',
  ...MQTT_TUNING_ENV,
};

/** Hub options from the environment (zod-validated). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): HubOptions {
  const e = parseEnv(envSchema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    mqtt: {
      url: e.VIGIL_HUB_MQTT_URL,
      username: e.VIGIL_HUB_MQTT_USERNAME,
      password: e.VIGIL_HUB_MQTT_PASSWORD,
      ...(e.VIGIL_HUB_CA_FILE ? { caFile: e.VIGIL_HUB_CA_FILE } : {}),
      group: e.VIGIL_HUB_SHARE_GROUP,
      workerId: e.VIGIL_HUB_WORKER_ID,
      tuning: mqttTuning(e),
    },
    http: { host: e.VIGIL_HUB_HTTP_HOST, port: e.VIGIL_HUB_HTTP_PORT, token: e.VIGIL_HUB_TOKEN },
  };
}
