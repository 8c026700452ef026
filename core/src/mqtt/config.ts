import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** How a service client talks to the broker; the same for every service, each value overridable by env. */
export interface MqttTuning {
  /** Seconds between PINGREQs when idle; the broker drops us after 1.5× this without a packet [MQTT-3.1.2-24]. */
  keepaliveS: number;
  /** How long start-up waits for the first CONNACK before it fails with VIGIL_ERR_MQTT_UNREACHABLE. */
  connectTimeoutMs: number;
  /** The first reconnect waits this long; each failed attempt doubles the wait, up to `reconnectMaxMs`. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export const MQTT_TUNING_DEFAULTS: MqttTuning = {
  keepaliveS: 30,
  connectTimeoutMs: 30_000,
  reconnectMinMs: 500,
  reconnectMaxMs: 10_000,
};

const ms = z.coerce.number().int().positive();

/** The broker client's variables; each service's env schema spreads these in, so one parse names every bad one. */
export const MQTT_TUNING_ENV_SHAPE = {
  VIGIL_MQTT_KEEPALIVE_S: z.coerce.number().int().min(5).max(3600).default(MQTT_TUNING_DEFAULTS.keepaliveS),
  VIGIL_MQTT_CONNECT_TIMEOUT_MS: ms.default(MQTT_TUNING_DEFAULTS.connectTimeoutMs),
  VIGIL_MQTT_RECONNECT_MIN_MS: ms.default(MQTT_TUNING_DEFAULTS.reconnectMinMs),
  VIGIL_MQTT_RECONNECT_MAX_MS: ms.default(MQTT_TUNING_DEFAULTS.reconnectMaxMs),
};
type TuningEnv = z.infer<z.ZodObject<typeof MQTT_TUNING_ENV_SHAPE>>;

/** The broker client's variables with their meaning, for each service's `--help` (merged into its own list). */
export const MQTT_TUNING_ENV: Record<keyof TuningEnv, string> = {
  VIGIL_MQTT_KEEPALIVE_S: `MQTT keepalive, seconds (default ${MQTT_TUNING_DEFAULTS.keepaliveS})`,
  VIGIL_MQTT_CONNECT_TIMEOUT_MS: `start-up fails when the broker has not accepted us within this many ms (default ${MQTT_TUNING_DEFAULTS.connectTimeoutMs})`,
  VIGIL_MQTT_RECONNECT_MIN_MS: `first reconnect after a lost connection, ms; doubles per failed attempt (default ${MQTT_TUNING_DEFAULTS.reconnectMinMs})`,
  VIGIL_MQTT_RECONNECT_MAX_MS: `longest wait between reconnect attempts, ms; at least the minimum (default ${MQTT_TUNING_DEFAULTS.reconnectMaxMs})`,
};

/** The tuning from a service's parsed environment (its schema spread `MQTT_TUNING_ENV_SHAPE` in). */
export function mqttTuning(e: TuningEnv): MqttTuning {
  return {
    keepaliveS: e.VIGIL_MQTT_KEEPALIVE_S,
    connectTimeoutMs: e.VIGIL_MQTT_CONNECT_TIMEOUT_MS,
    reconnectMinMs: e.VIGIL_MQTT_RECONNECT_MIN_MS,
    reconnectMaxMs: Math.max(e.VIGIL_MQTT_RECONNECT_MIN_MS, e.VIGIL_MQTT_RECONNECT_MAX_MS),
  };
}

/** The CA of a TLS broker, for the services that connect to the facility's gateway (`VIGIL_MQTT_URL`). */
const MQTT_CA_ENV_SHAPE = { VIGIL_MQTT_CA: z.string().min(1).optional() };

/** The variables of a service's gateway client: tuning and the broker's CA (each service's schema spreads these in). */
export const MQTT_CLIENT_ENV_SHAPE = { ...MQTT_TUNING_ENV_SHAPE, ...MQTT_CA_ENV_SHAPE };
export const MQTT_CLIENT_ENV = {
  ...MQTT_TUNING_ENV,
  VIGIL_MQTT_CA:
    "PEM CA that signed the broker's certificate, for an mqtts:// VIGIL_MQTT_URL (default: the system's CAs)",
};

/** A service's broker connection as its `start()` takes it. */
export interface MqttLogin {
  url: string;
  username: string;
  password: string;
  clientId?: string;
  tuning?: Partial<MqttTuning>;
  /** PEM CA that signed an `mqtts://` broker's certificate. */
  ca?: Buffer;
}

/**
 * The CA of an `mqtts://` broker (`VIGIL_MQTT_CA`), read at start-up: a file that cannot be read stops the service
 * with a message naming the variable, as a bad value does.
 */
export function mqttCa(e: { VIGIL_MQTT_CA?: string }): Buffer | undefined {
  if (!e.VIGIL_MQTT_CA) return undefined;
  try {
    return readFileSync(e.VIGIL_MQTT_CA);
  } catch (err) {
    throw ConfigError(`invalid configuration:\n  VIGIL_MQTT_CA: cannot read ${e.VIGIL_MQTT_CA}`, err);
  }
}

/** The client part of a service's broker options from its parsed environment (`MQTT_CLIENT_ENV_SHAPE`). */
export function mqttClient(e: TuningEnv & { VIGIL_MQTT_CA?: string }): { tuning: MqttTuning; ca?: Buffer } {
  const ca = mqttCa(e);
  return { tuning: mqttTuning(e), ...(ca ? { ca } : {}) };
}
