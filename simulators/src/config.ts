import { parseEnv, portSchema } from '@vigil/core';
import { z } from 'zod';

const envSchema = z.object({
  VIGIL_MQTT_URL: z.string().min(1).optional(),
  VIGIL_MQTT_PORT: portSchema.default(1883),
});

/** Environment variables the simulator reads, for `--help` and the README table. */
export const SIMULATOR_ENV_DOCS: Record<string, string> = {
  VIGIL_MQTT_URL: 'broker URL the simulated devices connect to (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT)',
  VIGIL_MQTT_PORT: 'broker port when VIGIL_MQTT_URL is unset (default 1883)',
};

/** The broker to connect to, like the services: VIGIL_MQTT_URL, else 127.0.0.1 on VIGIL_MQTT_PORT. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): { mqttUrl: string } {
  const e = parseEnv(envSchema, env);
  return { mqttUrl: e.VIGIL_MQTT_URL ?? `mqtt://127.0.0.1:${e.VIGIL_MQTT_PORT}` };
}
