import type { Command } from 'commander';
import { INGEST_ENV_HELP, configFromEnv, start } from '@vigil/ingest';
import { envHelp, prepareService, runUntilSignal } from '../context.js';
import { ownServiceCredentials } from '../service-accounts.js';

const ENV_HELP = envHelp(INGEST_ENV_HELP, [
  'Messages are acknowledged to the broker only after their batch is committed; bad ones go to the',
  'dead_letters table. Rollups, retention, metrics and queries: docs/ingest.md.',
]);

/** `vigil ingest`: the ingest service alone, configured by the environment (docs/ingest.md). */
export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description(
      'run the ingest service alone: validates every device reading, event and status from the broker and writes ' +
        'them in batches to TimescaleDB, with hourly rollups and retention; stops on SIGINT/SIGTERM',
    )
    .addHelpText('after', ENV_HELP)
    .action(async () => {
      const { log, databaseUrl } = await prepareService('vigil-ingest');
      const config = configFromEnv();
      const mqtt = await ownServiceCredentials(databaseUrl, log, config.mqtt, 'ingest');
      const service = await start({ ...config, databaseUrl, mqtt, logger: log });
      await runUntilSignal(log, service);
    });
}
