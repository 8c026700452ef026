import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Parses configuration from the environment with a zod object schema, at start-up. A failure names every
 * offending variable: `VIGIL_MQTT_PORT: expected number, received "abc"`.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** A TCP port from the environment; 0 picks a free one. */
export const portSchema = z.coerce.number().int().min(0).max(65535);
/** A boolean flag from the environment: 1/0, true/false, yes/no. */
export const flagSchema = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');
export const logLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
