import type { Command } from 'commander';
import { ALERTS_ENV, configFromEnv, start } from '@vigil/alerts';
import { createLogger, createPool, migrate } from '@vigil/core';
import { resolveDatabaseUrl } from '../context.js';
import { serviceCredentials } from '../service-accounts.js';

const ENV_HELP = [
  '',
  'Configuration (environment):',
  ...Object.entries(ALERTS_ENV).map(([name, meaning]) => `  ${name.padEnd(36)} ${meaning}`),
  '  VIGIL_LOG_LEVEL                      fatal|error|warn|info|debug|trace|silent (default info)',
].join('\n');

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
      const log = createLogger({ name: 'vigil-alerts' });
      const config = configFromEnv();
      const databaseUrl = config.databaseUrl ?? (await resolveDatabaseUrl(log));
      await migrate(databaseUrl, log);
      const pool = createPool(databaseUrl, log, { max: 1 });
      const mqtt = await serviceCredentials(pool, config.mqtt, 'alerts').finally(() => pool.end());
      const alerts = await start({ ...config, databaseUrl, mqtt, logger: log });
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      log.info({ signal }, 'stopping');
      await alerts.close();
    });
}
