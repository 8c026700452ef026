import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPaths, clusterStatus, openLocalCluster, silentLogger, startCluster, stopCluster } from '@vigil/core';
import { mayStopCluster } from './helpers/test-database-server.js';
import { freePort } from './helpers/processes.js';

const log = silentLogger();

describe('the test harness stops the local cluster', () => {
  const alive = (pid: number) => pid !== 3;
  it('when no other live run has databases on it', () => {
    expect(mayStopCluster([], 1, alive)).toBe(true);
    expect(mayStopCluster(['vigil_test_1_ab', 'vigil_test_3_cd', 'vigil_tpl_0123'], 1, alive)).toBe(true);
    expect(mayStopCluster(['vigil_test_1_ab', 'vigil_test_2_cd'], 1, alive)).toBe(false);
  });
});

// A cluster of this test's own (own data folder and port): the shared one is never started or stopped here.
describe('openLocalCluster', { timeout: 180_000 }, () => {
  let dir: string;
  let paths: Awaited<ReturnType<typeof clusterPaths>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-cluster-'));
    paths = await clusterPaths({ VIGIL_DATA_DIR: dir, VIGIL_PG_PORT: String(await freePort()) });
  });
  afterAll(async () => {
    if (paths) await stopCluster(log, paths);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops a cluster it started, and leaves one that was running', async () => {
    const own = await openLocalCluster(log, paths);
    expect(own).toMatchObject({ startedHere: true, url: `postgres://postgres@127.0.0.1:${paths.port}/vigil` });
    expect(await clusterStatus(paths)).toBe('running');
    await own.close();
    expect(await clusterStatus(paths)).toBe('stopped');

    await startCluster(log, paths);
    const borrowed = await openLocalCluster(log, paths);
    expect(borrowed.startedHere).toBe(false);
    await borrowed.close();
    expect(await clusterStatus(paths)).toBe('running');
  });

  it('names the port and VIGIL_PG_PORT when something else listens there', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const elsewhere = await clusterPaths({ VIGIL_DATA_DIR: join(dir, 'other'), VIGIL_PG_PORT: String(port) });
      await expect(openLocalCluster(log, elsewhere)).rejects.toMatchObject({
        code: 'VIGIL_ERR_NET_PORT_IN_USE',
        message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port} .*set VIGIL_PG_PORT`)),
      });
      expect(await clusterStatus(elsewhere)).toBe('absent');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
