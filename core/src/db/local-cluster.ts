import type { Logger } from 'pino';
import { clusterPaths, clusterStatus, startCluster, stopCluster, type ClusterPaths } from './cluster.js';

/** The local cluster as one run uses it. */
export interface LocalCluster {
  url: string;
  /** This run started it (it was stopped or not yet created). */
  startedHere: boolean;
  /** Stops the cluster if this run started it; else leaves it running and logs so. */
  close(): Promise<void>;
}

/**
 * The local cluster for a run (`vigil start`, the test harness): started when it is not running, and
 * then stopped again by `close()`; one that was already running belongs to someone else and is left be.
 */
export async function openLocalCluster(log: Logger, paths?: ClusterPaths): Promise<LocalCluster> {
  const where = paths ?? (await clusterPaths());
  const wasRunning = (await clusterStatus(where)) === 'running';
  const url = await startCluster(log, where);
  return {
    url,
    startedHere: !wasRunning,
    async close() {
      if (!wasRunning) return stopCluster(log, where);
      log.info(
        { port: where.port, dataDir: where.dataDir },
        'leaving the local PostgreSQL cluster running (it was running before)',
      );
    },
  };
}
