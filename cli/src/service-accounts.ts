import { createPool, type Logger, type Pool } from '@vigil/core';
import { upsertServiceAccount, type ServiceRole } from '@vigil/store';

type MqttConfig = { url: string; username: string; password?: string };

/**
 * Broker credentials for a service run by this CLI. The account is (re)registered with the password from
 * the environment when one is given (a deployment's configured secret), else with a fresh secret issued
 * now and never printed. A service holds database credentials anyway, so registering its own broker
 * account adds no power it did not have.
 */
export async function serviceCredentials<M extends MqttConfig>(
  db: Pool,
  mqtt: M,
  role: ServiceRole,
): Promise<M & { password: string }> {
  const { secret } = await upsertServiceAccount(db, mqtt.username, role, mqtt.password);
  return { ...mqtt, password: secret };
}

/** `serviceCredentials` for a service run alone: through a short-lived connection of its own. */
export async function ownServiceCredentials<M extends MqttConfig>(
  databaseUrl: string,
  log: Logger,
  mqtt: M,
  role: ServiceRole,
) {
  const pool = createPool(databaseUrl, log, { max: 1 });
  return serviceCredentials(pool, mqtt, role).finally(() => pool.end());
}
