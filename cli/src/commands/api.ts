import type { Command } from 'commander';
import { API_ENV, configFromEnv, start } from '@vigil/api';
import { listenOn } from '@vigil/core';
import { envHelp, prepareService, runUntilSignal } from '../context.js';
import { httpPort } from '../ports.js';
import { ownServiceCredentials } from '../service-accounts.js';

const ENV_HELP = envHelp(API_ENV, [
  'Serves: REST /api/v1 (Bearer tokens: `vigil token create`), WebSocket /api/v1/stream, the wall display',
  '/display?token=<display token>, OpenAPI /api/v1/openapi.json and /docs, /healthz, /readyz, /metrics.',
  'Needs the alerts service running for acknowledge/resolve/drill. Reference: docs/api.md.',
]);

/** `vigil api`: the api alone, configured by the environment (docs/api.md). */
export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      'run the api alone: REST + WebSocket stream of alert events + wall display, fed by the alerts service over ' +
        'the broker; stops on SIGINT/SIGTERM',
    )
    .addHelpText('after', ENV_HELP)
    .action(async () => {
      const { log, databaseUrl } = await prepareService('vigil-api');
      const config = configFromEnv();
      const mqtt = await ownServiceCredentials(databaseUrl, log, config.mqtt, 'api');
      const service = await listenOn(httpPort(config), () => start({ ...config, databaseUrl, mqtt, logger: log }));
      console.log(`api listening on ${service.url}; wall display ${service.displayUrl}?token=<display token>`);
      await runUntilSignal(log, service);
    });
}
