import pg from 'pg';
import { migrate, silentLogger, startCluster } from '@vigil/core';

/**
 * A fresh, migrated database for one benchmark run (`vigil_bench_<name>_<pid>`), dropped by drop(): on the
 * server of `VIGIL_BENCH_ADMIN_URL` when set (a URL on which the user may CREATE DATABASE, e.g. a shared
 * cluster), else on the local cluster. Benchmarks share this instead of each writing their own.
 */
export async function createBenchDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const log = silentLogger();
  const adminUrl = process.env.VIGIL_BENCH_ADMIN_URL ?? (await startCluster(log));
  const database = `vigil_bench_${name}_${process.pid}`;
  const run = async (sql: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await run(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await run(`CREATE DATABASE "${database}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await migrate(url.toString(), log);
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`) };
}
