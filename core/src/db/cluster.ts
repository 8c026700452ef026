import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';
import { ClusterError } from '../errors.js';
import { assertPortFree } from '../ports.js';

const run = promisify(execFile);

/** PostgreSQL 15 binaries preinstalled by Debian. */
export const PG_BIN = process.env.VIGIL_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const DEFAULT_PG_PORT = 55432;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RUN_AS = 'postgres';

export interface ClusterPaths {
  root: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  port: number;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary; as root, as the unprivileged `postgres` user (initdb and postgres refuse root). */
async function pgExec(binary: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const file = join(PG_BIN, binary);
  return isRoot() ? run('runuser', ['-u', RUN_AS, '--', file, ...args]) : run(file, args);
}

async function postgresCanReach(dir: string): Promise<boolean> {
  try {
    await run('runuser', ['-u', RUN_AS, '--', 'test', '-x', dir]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the local cluster lives: `$VIGIL_DATA_DIR` or `<repo>/.data`. As root, when the `postgres` user
 * cannot reach the repository (e.g. it sits under /root), a per-repository folder under /var/tmp is used.
 */
export async function clusterPaths(env: NodeJS.ProcessEnv = process.env): Promise<ClusterPaths> {
  let root = env.VIGIL_DATA_DIR ? resolve(env.VIGIL_DATA_DIR) : join(REPO_ROOT, '.data');
  if (!env.VIGIL_DATA_DIR && isRoot() && !(await postgresCanReach(REPO_ROOT))) {
    root = join('/var/tmp', `vigil-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}`);
  }
  const port = env.VIGIL_PG_PORT ? Number(env.VIGIL_PG_PORT) : DEFAULT_PG_PORT;
  return {
    root,
    dataDir: join(root, 'pg'),
    socketDir: join(root, 'run'),
    logFile: join(root, 'log', 'postgresql.log'),
    port,
  };
}

/** Connection URL of the local cluster's database `name`. */
export function clusterUrl(paths: ClusterPaths, database = 'vigil'): string {
  return `postgres://postgres@127.0.0.1:${paths.port}/${database}`;
}

async function ownDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', RUN_AS]);
    const { stdout: gid } = await run('id', ['-g', RUN_AS]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dir, 0o700);
}

async function initCluster(paths: ClusterPaths, log: Logger): Promise<void> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw ClusterError(`PostgreSQL 15 binaries not found in ${PG_BIN}; set DATABASE_URL to use another server`);
  }
  await mkdir(paths.root, { recursive: true });
  await chmod(paths.root, 0o755);
  await ownDir(paths.dataDir);
  await ownDir(paths.socketDir);
  await ownDir(join(paths.root, 'log'));
  log.info({ dataDir: paths.dataDir }, 'initialising local PostgreSQL cluster');
  await pgExec('initdb', ['-D', paths.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  await appendFile(
    join(paths.dataDir, 'postgresql.conf'),
    [
      '',
      '# vigil local cluster',
      "shared_preload_libraries = 'timescaledb'",
      "listen_addresses = '127.0.0.1'",
      `port = ${paths.port}`,
      `unix_socket_directories = '${paths.socketDir}'`,
      'max_connections = 300',
      "timescaledb.telemetry_level = 'off'",
      'timescaledb.max_background_workers = 16',
      'max_worker_processes = 32',
      '',
    ].join('\n'),
  );
}

export type ClusterState = 'running' | 'stopped' | 'absent';

export async function clusterStatus(paths: ClusterPaths): Promise<ClusterState> {
  if (!existsSync(join(paths.dataDir, 'PG_VERSION'))) return 'absent';
  try {
    await pgExec('pg_ctl', ['status', '-D', paths.dataDir]);
    return 'running';
  } catch {
    return 'stopped';
  }
}

async function ensureDatabase(paths: ClusterPaths, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: clusterUrl(paths, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * Initialises (first time) and starts the private TimescaleDB cluster under the data folder, creates the
 * `vigil` database, and returns its URL. Idempotent: a running cluster is left as it is.
 */
export async function startCluster(log: Logger, paths?: ClusterPaths): Promise<string> {
  const where = paths ?? (await clusterPaths());
  const extension = join('/usr/share/postgresql/15/extension', 'timescaledb.control');
  if (!existsSync(extension)) {
    throw ClusterError(
      'the TimescaleDB extension is not installed: run `sudo scripts/install-deps.sh` (or `vigil db install`)',
    );
  }
  const state = await clusterStatus(where);
  // pg_ctl would only say "could not start" and point at its log.
  if (state !== 'running') await assertPortFree(clusterPort(where));
  if (state === 'absent') await initCluster(where, log);
  if (state !== 'running') {
    log.info({ port: where.port }, 'starting local PostgreSQL cluster');
    try {
      await pgExec('pg_ctl', ['start', '-D', where.dataDir, '-l', where.logFile, '-w', '-t', '60']);
    } catch (err) {
      throw ClusterError(`could not start the local cluster (see ${where.logFile})`, err);
    }
  }
  await ensureDatabase(where, 'vigil');
  return clusterUrl(where);
}

function clusterPort(paths: ClusterPaths) {
  return { host: '127.0.0.1', port: paths.port, what: 'local PostgreSQL cluster', variable: 'VIGIL_PG_PORT' };
}

export async function stopCluster(log: Logger, paths?: ClusterPaths): Promise<void> {
  const where = paths ?? (await clusterPaths());
  if ((await clusterStatus(where)) !== 'running') return;
  log.info('stopping local PostgreSQL cluster');
  await pgExec('pg_ctl', ['stop', '-D', where.dataDir, '-m', 'fast', '-w']);
}
