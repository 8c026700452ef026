import { createServer } from 'node:net';
import { PortInUse } from './errors.js';

/** A port Vigil listens on: what it is for and the environment variable that changes it. */
export interface PortUse {
  host: string;
  port: number;
  /** e.g. "MQTT (gateway)". */
  what: string;
  variable: string;
}

function portInUse(use: PortUse, cause?: unknown) {
  return PortInUse(
    `${use.host}:${use.port} (${use.what}) is already in use: stop what listens there, or set ${use.variable} to a free port`,
    cause,
  );
}

function isAddressInUse(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

/** Runs `listen` (a service's start); an "address in use" anywhere in its error's causes becomes PortInUse. */
export async function listenOn<T>(use: PortUse, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (err) {
    throw isAddressInUse(err) ? portInUse(use, err) : err;
  }
}

/** Throws PortInUse when something already listens on the port (for servers whose own error says less). */
export async function assertPortFree(use: PortUse): Promise<void> {
  const probe = createServer();
  await listenOn(
    use,
    () =>
      new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.listen(use.port, use.host, resolve);
      }),
  );
  await new Promise((resolve) => probe.close(resolve));
}
