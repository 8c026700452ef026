import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { clusterPaths, clusterStatus, clusterUrl, migrate, startCluster, stopCluster } from '@vigil/core';
import { cliLogger, resolveDatabaseUrl } from '../context.js';

const INSTALL_SCRIPT = fileURLToPath(new URL('../../../scripts/install-deps.sh', import.meta.url));

export function registerDb(program: Command): void {
  const db = program
    .command('db')
    .description('the local TimescaleDB cluster under .data/ (ignored when DATABASE_URL is set)');
  db.command('install')
    .description('install what this Debian machine lacks: the TimescaleDB extension, mosquitto, chromium (as root)')
    .action(() => {
      execFileSync('bash', [INSTALL_SCRIPT], { stdio: 'inherit' });
    });
  db.command('start')
    .description('initialise (first time) and start the local cluster; prints its URL')
    .action(async () => console.log(await startCluster(cliLogger('info'))));
  db.command('stop')
    .description('stop the local cluster')
    .action(async () => stopCluster(cliLogger('info')));
  db.command('status')
    .description('print whether the local cluster is running, and its URL')
    .action(async () => {
      const paths = await clusterPaths();
      console.log(`${await clusterStatus(paths)} ${clusterUrl(paths)} (data: ${paths.dataDir})`);
    });
  program
    .command('migrate')
    .description('apply pending database migrations (DATABASE_URL, else the local cluster)')
    .action(async () => {
      const log = cliLogger('info');
      const applied = await migrate(await resolveDatabaseUrl(log), log);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
    });
}
