import type { Command } from 'commander';
import { DISPATCH_ENV, configFromEnv, start } from '@vigil/dispatch';
import { envHelp, prepareService, runUntilSignal } from '../context.js';
import { ownServiceCredentials } from '../service-accounts.js';

const ENV_HELP = envHelp(DISPATCH_ENV);

/** `vigil dispatch`: a home-care station's dispatch service alone, configured by the environment (docs/homecare.md). */
export function registerDispatch(program: Command): void {
  program
    .command('dispatch')
    .description(
      'run the dispatch service of a home-care station alone: dwelling alerts become work orders for the staff on ' +
        'duty, escalated to the lead when nobody accepts, with notifications by Web Push, email and webhooks; ' +
        'stops on SIGINT/SIGTERM',
    )
    .option(
      '--station <id>',
      "only this station's alerts and orders, on a session of its own ($VIGIL_DISPATCH_STATION)",
    )
    .addHelpText('after', ENV_HELP)
    .action(async (o: { station?: string }) => {
      const { log, databaseUrl } = await prepareService('vigil-dispatch');
      const config = configFromEnv(o.station ? { ...process.env, VIGIL_DISPATCH_STATION: o.station } : process.env);
      const mqtt = await ownServiceCredentials(databaseUrl, log, config.mqtt, 'dispatch');
      const service = await start({ ...config, databaseUrl, mqtt, logger: log });
      await runUntilSignal(log, service);
    });
}
