import type { Command } from 'commander';
import { listenOn } from '@vigil/core';
import { GATEWAY_ENV, configFromEnv, start } from '@vigil/gateway';
import { envHelp, prepareService, runUntilSignal } from '../context.js';
import { mqttPort } from '../ports.js';

const ENV_HELP = envHelp(GATEWAY_ENV, [
  'Devices log in with their id and secret (`vigil device add`); services with a service account.',
  'Protocol: docs/PROTOCOL.md; operations, limits and metrics: docs/gateway.md.',
]);

/** `vigil gateway`: the edge MQTT gateway alone, configured by the environment (docs/gateway.md). */
export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description(
      'run the edge MQTT gateway alone: authenticates devices against the registry, enforces the topic ACL and ' +
        'limits, keeps sessions on disk and (with VIGIL_UPSTREAM_URL) forwards to an upstream broker; stops on SIGINT/SIGTERM',
    )
    .addHelpText('after', ENV_HELP)
    .action(async () => {
      const { log, databaseUrl } = await prepareService('vigil-gateway');
      const config = configFromEnv({ ...process.env, DATABASE_URL: databaseUrl });
      const gateway = await listenOn(mqttPort(config), () => start({ ...config, logger: log }));
      log.info({ url: gateway.url }, 'gateway ready');
      await runUntilSignal(log, gateway);
    });
}
