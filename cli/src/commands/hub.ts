import type { Command } from 'commander';
import { HUB_ENV_HELP, configFromEnv, start } from '@vigil/hub';
import { envHelp, prepareService, runUntilSignal } from '../context.js';

const ENV_HELP = envHelp(HUB_ENV_HELP, [
  'Run several with distinct VIGIL_HUB_WORKER_ID and one VIGIL_HUB_SHARE_GROUP: the broker splits the region.',
  'Messages, schema, region API and broker ACLs: docs/hub.md.',
]);

/** `vigil hub`: the regional supervision hub, configured by the environment (docs/hub.md). */
export function registerHub(program: Command): void {
  program
    .command('hub')
    .description(
      "run a regional hub worker: takes every facility's alert events, device status and summaries from the region " +
        'broker over an MQTT 5 shared subscription into the regional TimescaleDB, and serves regulators the region ' +
        'API; stops on SIGINT/SIGTERM',
    )
    .addHelpText('after', ENV_HELP)
    .action(async () => {
      const { log, databaseUrl } = await prepareService('vigil-hub');
      const hub = await start({ ...configFromEnv({ ...process.env, DATABASE_URL: databaseUrl }), logger: log });
      log.info({ url: hub.url }, 'hub ready');
      await runUntilSignal(log, hub);
    });
}
