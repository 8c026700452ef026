/**
 * Base of every typed Vigil error: a stable code `VIGIL_ERR_<AREA>_<WHAT>`, a message, an optional HTTP
 * status, and the original error as `cause`. Each service keeps its own registry in `src/errors.ts`;
 * docs/errors.md lists every code.
 */
export class VigilError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.status = options.status ?? 500;
  }
}

/** Defines an error factory for one code: `const NotFound = defineError('VIGIL_ERR_API_NOT_FOUND', 404)`. */
export function defineError(code: string, status = 500) {
  return (message: string, cause?: unknown) => new VigilError(code, message, { status, cause });
}

export const ConfigError = defineError('VIGIL_ERR_CONFIG_INVALID');
export const DatabaseUnavailable = defineError('VIGIL_ERR_DB_UNAVAILABLE', 503);
export const ClusterError = defineError('VIGIL_ERR_DB_CLUSTER');
/** A port Vigil must listen on is taken; the message names the port and the variable that moves it. */
export const PortInUse = defineError('VIGIL_ERR_NET_PORT_IN_USE');

/** Start-up: no CONNACK from the broker within the connect timeout (it may be down or unreachable). */
export const MqttUnreachable = defineError('VIGIL_ERR_MQTT_UNREACHABLE', 503);
/** The broker refused the login (bad credentials, not authorised, client id rejected): retrying cannot help. */
export const MqttRefused = defineError('VIGIL_ERR_MQTT_REFUSED', 503);
/** The broker refused one of the subscriptions (SUBACK 0x80): the service account lacks the right. */
export const MqttSubscriptionRefused = defineError('VIGIL_ERR_MQTT_SUBSCRIPTION_REFUSED', 503);
