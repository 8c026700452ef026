import type { Command } from 'commander';
import { ALERTS_ENV, configFromEnv, start } from '@vigil/alerts';
import { envHelp, prepareService, runUntilSignal } from '../context.js';
import { ownServiceCredentials } from '../service-accounts.js';

const ENV_HELP = envHelp(ALERTS_ENV);

/** `vigil alerts`: the alerts engine alone, configured by the environment (docs/alerts.md). */
export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description(
      'run the alerts engine alone: evaluates every device message against the rules, keeps the alert lifecycle ' +
        '(escalation, acknowledge/resolve/drill commands) and publishes alert events to the broker; stops on SIGINT/SIGTERM',
    )
    .addHelpText('after', ENV_HELP)
    .action(async () => {
      const { log, databaseUrl } = await prepareService('vigil-alerts');
      const config = configFromEnv();
      const mqtt = await ownServiceCredentials(databaseUrl, log, config.mqtt, 'alerts');
      const service = await start({ ...config, databaseUrl, mqtt, logger: log });
      await runUntilSignal(log, service);
    });
}
