import { z } from 'zod';
import { parseEnv } from '@vigil/core';

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z.object({
  DATABASE_URL: z.string().min(1, 'is required (postgres://…)'),
  VIGIL_MQTT_URL: z.string().optional(),
  VIGIL_MQTT_PORT: z.coerce.number().int().min(1).max(65535).default(1883),
  VIGIL_ALERTS_MQTT_USERNAME: z.string().min(1).default('svc-alerts'),
  VIGIL_ALERTS_MQTT_PASSWORD: z.string().min(1, 'is required: the secret of the alerts service account'),
  VIGIL_ALERTS_MQTT_CLIENT_ID: z.string().min(1).default('vigil-alerts'),
  VIGIL_ALERTS_ESCALATION_REPEAT_MS: ms(60_000),
  VIGIL_ALERTS_ESCALATION_OFFICER_MS: ms(180_000),
  VIGIL_ALERTS_TICK_MS: ms(1_000),
});

/** Environment variables the alerts service reads when it runs alone (`vigil alerts`); see docs/alerts.md. */
export const ALERTS_ENV = Object.keys(envSchema.shape);

/** The `start()` options from the environment (zod-validated; a failure names every bad variable). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(envSchema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    mqtt: {
      url: e.VIGIL_MQTT_URL ?? `mqtt://127.0.0.1:${e.VIGIL_MQTT_PORT}`,
      username: e.VIGIL_ALERTS_MQTT_USERNAME,
      password: e.VIGIL_ALERTS_MQTT_PASSWORD,
      clientId: e.VIGIL_ALERTS_MQTT_CLIENT_ID,
    },
    escalation: { repeatMs: e.VIGIL_ALERTS_ESCALATION_REPEAT_MS, officerMs: e.VIGIL_ALERTS_ESCALATION_OFFICER_MS },
    tickMs: e.VIGIL_ALERTS_TICK_MS,
  };
}
