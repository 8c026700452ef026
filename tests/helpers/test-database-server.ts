import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate, openLocalCluster, silentLogger, type LocalCluster } from '@vigil/core';

/** What the global setup hands every test file: a server URL to create databases on and the template's name. */
export interface TestDatabaseServer {
  adminUrl: string;
  /** pid of the vitest main process, part of every test database's name. */
  runPid: number;
  template: string;
  source: 'TEST_DATABASE_URL' | 'testcontainers' | 'local-cluster';
}

export const TEST_DB_PREFIX = 'vigil_test_';
const TIMESCALE_IMAGE = 'timescale/timescaledb:2.19.3-pg15';

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function dockerReachable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** The server tests run against: TEST_DATABASE_URL, else a testcontainers TimescaleDB, else the local cluster. */
async function resolveServer(): Promise<{ url: string; source: TestDatabaseServer['source']; stop(): Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) {
    return { url: process.env.TEST_DATABASE_URL, source: 'TEST_DATABASE_URL', stop: async () => {} };
  }
  if (await dockerReachable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer(TIMESCALE_IMAGE).start();
    return {
      url: container.getConnectionUri(),
      source: 'testcontainers',
      stop: async () => void (await container.stop()),
    };
  }
  const cluster = await openLocalCluster(silentLogger());
  return { url: cluster.url, source: 'local-cluster', stop: () => stopUnlessShared(cluster) };
}

/** The vitest run that created a test database (its name holds the pid), or NaN for another name. */
function runPidOf(datname: string): number {
  return datname.startsWith(TEST_DB_PREFIX) ? Number(datname.slice(TEST_DB_PREFIX.length).split('_')[0]) : NaN;
}

/**
 * Whether the run that started the local cluster may stop it at its teardown: not while another run
 * that is still going (one that found the cluster running, after this one started it) has databases on it.
 */
export function mayStopCluster(datnames: readonly string[], self: number, alive: (pid: number) => boolean): boolean {
  return !datnames.some((name) => {
    const pid = runPidOf(name);
    return Number.isInteger(pid) && pid !== self && alive(pid);
  });
}

/** Teardown of the local cluster: stopped only when this run started it and no other live run uses it. */
async function stopUnlessShared(cluster: LocalCluster): Promise<void> {
  if (!cluster.startedHere) return;
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  const { rows } = await admin
    .query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${TEST_DB_PREFIX}%`])
    .finally(() => admin.end());
  const names = rows.map((row) => row.datname);
  if (mayStopCluster(names, process.pid, processAlive)) await cluster.close();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) {
    hash.update(file).update(await readFile(join(MIGRATIONS_DIR, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Prepares a migrated template database named after the migrations' content hash (reused while the
 * migrations do not change) and drops test databases left over by runs that have ended.
 */
export async function prepareTestDatabaseServer(): Promise<TestDatabaseServer & { stop(): Promise<void> }> {
  const server = await resolveServer();
  const template = `vigil_tpl_${await migrationsHash()}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    // Test databases are named vigil_test_<pid of the vitest process>_<random>: drop only those whose run
    // has ended, so several runs can share one server.
    const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `${TEST_DB_PREFIX}%`,
    ]);
    for (const { datname } of stale.rows) {
      const pid = runPidOf(datname);
      if (!Number.isInteger(pid) || !processAlive(pid))
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    // Concurrent runs (several developers' vitest on one cluster) build the template once.
    await admin.query('SELECT pg_advisory_lock(7240001)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!exists.rowCount) {
      await admin.query(`CREATE DATABASE "${template}"`);
      await migrate(withDatabase(server.url, template), silentLogger());
      // TimescaleDB's background scheduler connects to every database that allows connections, which would
      // make CREATE DATABASE … TEMPLATE fail: close the template to connections and end the ones it has.
      await admin.query(`ALTER DATABASE "${template}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
    }
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [template]);
    await admin.query('SELECT pg_advisory_unlock(7240001)');
  } finally {
    await admin.end();
  }
  return { adminUrl: server.url, runPid: process.pid, template, source: server.source, stop: server.stop };
}
