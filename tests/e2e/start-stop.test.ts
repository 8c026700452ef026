import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPaths, clusterStatus, silentLogger, startCluster, stopCluster, type ClusterPaths } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { exited, freePort } from '../helpers/processes.js';
import { interrupt, logLines, startVigil, untilRunning } from '../helpers/vigil-start.js';

describe('vigil start with a port in use', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dataDir: string;
  let squatter: Server;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-ports-'));
    port = await freePort();
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => squatter?.close(resolve));
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['VIGIL_MQTT_PORT', 'MQTT, gateway', () => ({ DATABASE_URL: db.url })],
    ['VIGIL_HTTP_PORT', 'HTTP, api', () => ({ DATABASE_URL: db.url })],
    // No DATABASE_URL: the local cluster of this data folder would start on the taken port.
    ['VIGIL_PG_PORT', 'local PostgreSQL cluster', () => ({ DATABASE_URL: undefined })],
  ])('names the port and %s, without a stack trace', async (variable, what, database) => {
    const env = { ...database(), VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'warn', [variable]: String(port) };
    const started = await startVigil([], env);
    expect(await exited(started.child)).toBe(1);
    expect(started.output()).toContain(
      `vigil: VIGIL_ERR_NET_PORT_IN_USE: 127.0.0.1:${port} (${what}) is already in use: ` +
        `stop what listens there, or set ${variable} to a free port`,
    );
    expect(started.output()).not.toMatch(/^\s+at /m);
  });
});

// A local cluster of this test's own (own data folder and port): the shared one is never started or stopped.
describe('vigil start on the local cluster', { timeout: 240_000 }, () => {
  let dataDir: string;
  let paths: ClusterPaths;
  const env = () => ({ DATABASE_URL: undefined, VIGIL_DATA_DIR: dataDir, VIGIL_PG_PORT: String(paths.port) });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-own-cluster-'));
    paths = await clusterPaths({ VIGIL_DATA_DIR: dataDir, VIGIL_PG_PORT: String(await freePort()) });
  });
  afterAll(async () => {
    if (paths) await stopCluster(silentLogger(), paths);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('Ctrl-C stops the cluster it started', async () => {
    const started = await startVigil([], env());
    await untilRunning(started, 180_000);
    expect(await clusterStatus(paths)).toBe('running');
    expect(await interrupt(started)).toBe(0);
    expect(logLines(started.output()).map((l) => l.msg)).toContain('stopping local PostgreSQL cluster');
    expect(await clusterStatus(paths)).toBe('stopped');
  });

  it('Ctrl-C leaves a cluster that was already running, and says so', async () => {
    await startCluster(silentLogger(), paths);
    const started = await startVigil([], env());
    await untilRunning(started, 180_000);
    expect(await interrupt(started)).toBe(0);
    expect(logLines(started.output())).toContainEqual(
      expect.objectContaining({ msg: 'leaving the local PostgreSQL cluster running (it was running before)' }),
    );
    expect(await clusterStatus(paths)).toBe('running');
  });
});
