import type { PortUse } from '@vigil/core';

type Listening = { host?: string; port: number };

/** The gateway's MQTT port, for VIGIL_ERR_NET_PORT_IN_USE (`listenOn`). */
export function mqttPort(options: Listening): PortUse {
  return { host: options.host ?? '127.0.0.1', port: options.port, what: 'MQTT, gateway', variable: 'VIGIL_MQTT_PORT' };
}

/** The api's HTTP port, for VIGIL_ERR_NET_PORT_IN_USE (`listenOn`). */
export function httpPort(options: Listening): PortUse {
  return { host: options.host ?? '127.0.0.1', port: options.port, what: 'HTTP, api', variable: 'VIGIL_HTTP_PORT' };
}
