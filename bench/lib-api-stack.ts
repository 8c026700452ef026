import type pg from 'pg';
import { start as startGateway, type GatewayHandle } from '@vigil/gateway';
import { upsertServiceAccount } from '@vigil/store';
import { spawnPart } from './lib-parts.js';

/**
 * The gateway, in this process, and the api in a process of its own (bench/lib-part-child.ts), as the api and web
 * benchmarks run them: the api's CPU is then its own, not shared with the load generator. Also an `alerts`
 * service account whose client publishes alert events on the broker as the alerts service does. Adds their close
 * to `closers`. With BENCH_API_CPU_PROF=<dir> the api writes a V8 CPU profile there when it exits.
 */
export async function startApiStack(
  pool: pg.Pool,
  databaseUrl: string,
  dataDir: string,
  closers: (() => Promise<unknown>)[],
): Promise<{
  gateway: GatewayHandle;
  api: { url: string; pid: number };
  alertsAccount: { id: string; secret: string };
}> {
  const gateway = await startGateway({ port: 0, databaseUrl, dataDir });
  closers.push(() => gateway.close());
  const apiAccount = await upsertServiceAccount(pool, 'svc-api', 'api');
  const alertsAccount = await upsertServiceAccount(pool, 'svc-alerts-bench', 'alerts');
  const api = await spawnPart(
    'api',
    {
      port: 0,
      databaseUrl,
      mqtt: { url: gateway.url, username: apiAccount.id, password: apiAccount.secret },
    },
    process.env.BENCH_API_CPU_PROF,
  );
  closers.push(() => api.close());
  return { gateway, api: { url: api.ready.url as string, pid: api.pid }, alertsAccount };
}
