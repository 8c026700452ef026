import { upsertServiceAccount, type Pool, type ServiceRole } from '@vigil/core';

/**
 * Broker credentials for a service run by this CLI. The account is (re)registered with the password from
 * the environment when one is given (a deployment's configured secret), else with a fresh secret issued
 * now and never printed. A service holds database credentials anyway, so registering its own broker
 * account adds no power it did not have.
 */
export async function serviceCredentials(
  db: Pool,
  mqtt: { url: string; username: string; password?: string; clientId?: string },
  role: ServiceRole,
): Promise<{ url: string; username: string; password: string; clientId?: string }> {
  const { secret } = await upsertServiceAccount(db, mqtt.username, role, mqtt.password);
  return { ...mqtt, password: secret };
}
