import {
  flagSchema,
  MQTT_CLIENT_ENV,
  MQTT_CLIENT_ENV_SHAPE,
  mqttClient,
  parseEnv,
  portSchema,
  type MqttTuning,
} from '@vigil/core';
import { validate as validCron } from 'node-cron';
import { z } from 'zod';

import { WRITE_METHODS, type WriteMethod } from '@vigil/store';

export { WRITE_METHODS, type WriteMethod };

/** Tunables of the ingest pipeline and its jobs, with the defaults `start()` uses. */
export const INGEST_DEFAULTS = {
  batchSize: 2000,
  flushMs: 100,
  bufferLimit: 20_000,
  retentionDays: 180,
  rollupCron: '*/15 * * * *',
  retentionCron: '30 3 * * *',
  deviceCacheTtlMs: 60_000,
  writeMethod: 'unnest' as WriteMethod,
  username: 'svc-ingest',
};

const positiveInt = z.coerce.number().int().positive();
const cronSchema = z.string().refine((expression) => validCron(expression), 'must be a cron expression');

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  VIGIL_MQTT_URL: z.string().min(1).optional(),
  VIGIL_MQTT_PORT: portSchema.default(1883),
  VIGIL_INGEST_MQTT_USERNAME: z.string().min(1).default(INGEST_DEFAULTS.username),
  VIGIL_INGEST_MQTT_PASSWORD: z.string().min(1).optional(),
  VIGIL_INGEST_CLIENT_ID: z.string().min(1).optional(),
  ...MQTT_CLIENT_ENV_SHAPE,
  VIGIL_INGEST_SHARE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  VIGIL_INGEST_BATCH_SIZE: positiveInt.default(INGEST_DEFAULTS.batchSize),
  VIGIL_INGEST_FLUSH_MS: positiveInt.default(INGEST_DEFAULTS.flushMs),
  VIGIL_INGEST_BUFFER_LIMIT: positiveInt.default(INGEST_DEFAULTS.bufferLimit),
  VIGIL_INGEST_WRITE_METHOD: z.enum(WRITE_METHODS).default(INGEST_DEFAULTS.writeMethod),
  VIGIL_RETENTION_DAYS: positiveInt.default(INGEST_DEFAULTS.retentionDays),
  VIGIL_INGEST_CRON: flagSchema.default(true),
  VIGIL_INGEST_ROLLUP_CRON: cronSchema.default(INGEST_DEFAULTS.rollupCron),
  VIGIL_INGEST_RETENTION_CRON: cronSchema.default(INGEST_DEFAULTS.retentionCron),
});

/** Environment variables `configFromEnv` reads, with what they mean (the CLI prints this in `--help`). */
export const INGEST_ENV_HELP: Record<keyof z.infer<typeof envSchema>, string> = {
  DATABASE_URL: 'PostgreSQL/TimescaleDB URL (default: the local cluster)',
  VIGIL_MQTT_URL: 'broker URL (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT)',
  VIGIL_MQTT_PORT: 'broker port when VIGIL_MQTT_URL is unset (default 1883)',
  VIGIL_INGEST_MQTT_USERNAME: `service account id (default ${INGEST_DEFAULTS.username})`,
  VIGIL_INGEST_MQTT_PASSWORD: 'service account secret (default: `vigil ingest` issues a new one)',
  VIGIL_INGEST_CLIENT_ID: 'MQTT client id of the persistent session (default: the username)',
  ...MQTT_CLIENT_ENV,
  VIGIL_INGEST_SHARE_GROUP: 'subscribe as $share/<group>/… so several workers split the stream',
  VIGIL_INGEST_BATCH_SIZE: `messages per database transaction (default ${INGEST_DEFAULTS.batchSize})`,
  VIGIL_INGEST_FLUSH_MS: `flush a partial batch after this many ms (default ${INGEST_DEFAULTS.flushMs})`,
  VIGIL_INGEST_BUFFER_LIMIT: `unacknowledged messages held before reading stops (default ${INGEST_DEFAULTS.bufferLimit})`,
  VIGIL_INGEST_WRITE_METHOD: `unnest (one statement per batch) or copy (COPY into staging tables first) (default ${INGEST_DEFAULTS.writeMethod})`,
  VIGIL_RETENTION_DAYS: `days of raw readings kept (default ${INGEST_DEFAULTS.retentionDays}); rollups are kept`,
  VIGIL_INGEST_CRON: 'run the rollup and retention jobs in this process: 1/0 (default 1)',
  VIGIL_INGEST_ROLLUP_CRON: `cron expression of the hourly-rollup job (default "${INGEST_DEFAULTS.rollupCron}")`,
  VIGIL_INGEST_RETENTION_CRON: `cron expression of the retention job (default "${INGEST_DEFAULTS.retentionCron}")`,
};

/** What `configFromEnv` returns: `start()` options, except that the database URL and password may be absent. */
export interface IngestEnvConfig {
  databaseUrl?: string;
  mqtt: { url: string; username: string; password?: string; clientId?: string; tuning: MqttTuning; ca?: Buffer };
  shareGroup?: string;
  batchSize: number;
  flushMs: number;
  bufferLimit: number;
  writeMethod: WriteMethod;
  retentionDays: number;
  cron: boolean;
  rollupCron: string;
  retentionCron: string;
}

/** Reads the ingest configuration from the environment (zod-validated; names every bad variable). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): IngestEnvConfig {
  const e = parseEnv(envSchema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    mqtt: {
      url: e.VIGIL_MQTT_URL ?? `mqtt://127.0.0.1:${e.VIGIL_MQTT_PORT}`,
      username: e.VIGIL_INGEST_MQTT_USERNAME,
      password: e.VIGIL_INGEST_MQTT_PASSWORD,
      clientId: e.VIGIL_INGEST_CLIENT_ID,
      ...mqttClient(e),
    },
    shareGroup: e.VIGIL_INGEST_SHARE_GROUP,
    batchSize: e.VIGIL_INGEST_BATCH_SIZE,
    flushMs: e.VIGIL_INGEST_FLUSH_MS,
    bufferLimit: e.VIGIL_INGEST_BUFFER_LIMIT,
    writeMethod: e.VIGIL_INGEST_WRITE_METHOD,
    retentionDays: e.VIGIL_RETENTION_DAYS,
    cron: e.VIGIL_INGEST_CRON,
    rollupCron: e.VIGIL_INGEST_ROLLUP_CRON,
    retentionCron: e.VIGIL_INGEST_RETENTION_CRON,
  };
}
