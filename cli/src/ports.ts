import type { PortUse } from '@vigil/core';

type Listening = { host?: string; port: number };

/** The gateway's MQTT port, for VIGIL_ERR_NET_PORT_IN_USE (`listenOn`). */
export function mqttPort(options: Listening): PortUse {
  return { host: options.host ?? '127.0.0.1', port: options.port, what: 'MQTT, gateway', variable: 'VIGIL_MQTT_PORT' };
}

/** The gateway's port for `listenOn`: the TLS listener's when plain TCP is off (VIGIL_MQTT_TLS_ONLY). */
export function gatewayPort(options: Listening & { tls?: { host?: string; port?: number; only?: boolean } }): PortUse {
  if (!options.tls?.only) return mqttPort(options);
  return {
    host: options.tls.host ?? options.host ?? '127.0.0.1',
    port: options.tls.port ?? 8883,
    what: 'MQTT over TLS, gateway',
    variable: 'VIGIL_MQTT_TLS_PORT',
  };
}

/** The api's HTTP port, for VIGIL_ERR_NET_PORT_IN_USE (`listenOn`). */
export function httpPort(options: Listening): PortUse {
  return { host: options.host ?? '127.0.0.1', port: options.port, what: 'HTTP, api', variable: 'VIGIL_HTTP_PORT' };
}
