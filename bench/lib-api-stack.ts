import type pg from 'pg';
import { start as startApi, type ApiHandle } from '@vigil/api';
import { start as startGateway, type GatewayHandle } from '@vigil/gateway';
import { upsertServiceAccount } from '@vigil/store';

/**
 * The gateway and the api on `databaseUrl`, as the api and web benchmarks run them, and an `alerts` service account
 * whose client publishes alert events on the broker as the alerts service does. Adds their close to `closers`.
 */
export async function startApiStack(
  pool: pg.Pool,
  databaseUrl: string,
  dataDir: string,
  closers: (() => Promise<unknown>)[],
): Promise<{ gateway: GatewayHandle; api: ApiHandle; alertsAccount: { id: string; secret: string } }> {
  const gateway = await startGateway({ port: 0, databaseUrl, dataDir });
  closers.push(() => gateway.close());
  const apiAccount = await upsertServiceAccount(pool, 'svc-api', 'api');
  const alertsAccount = await upsertServiceAccount(pool, 'svc-alerts-bench', 'alerts');
  const api = await startApi({
    port: 0,
    databaseUrl,
    mqtt: { url: gateway.url, username: apiAccount.id, password: apiAccount.secret },
  });
  closers.push(() => api.close());
  return { gateway, api, alertsAccount };
}
