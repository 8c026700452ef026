import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { clusterPaths, migrate, silentLogger, startCluster, stopCluster, type ClusterPaths } from '@vigil/core';
import { freePort } from './processes.js';

/**
 * A throwaway, migrated PostgreSQL cluster of a test's own, on a free port in a temporary folder: for tests that
 * stop their database, which must never be the shared one. `pool`'s idle clients die with the server on purpose.
 */
export interface OwnCluster {
  url: string;
  dir: string;
  paths: ClusterPaths;
  pool: pg.Pool;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Ends the pool, stops the cluster and removes its folder. */
  close(): Promise<void>;
}

export async function startOwnCluster(prefix: string): Promise<OwnCluster> {
  const log = silentLogger();
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const paths = await clusterPaths({ VIGIL_DATA_DIR: dir, VIGIL_PG_PORT: String(await freePort()) });
  const url = await startCluster(log, paths);
  await migrate(url, log);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return {
    url,
    dir,
    paths,
    pool,
    stop: () => stopCluster(log, paths),
    start: async () => void (await startCluster(log, paths)),
    close: async () => {
      await pool.end();
      await stopCluster(log, paths);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
