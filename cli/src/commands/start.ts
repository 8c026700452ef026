import type { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { createPool, parseEnv, type Logger } from '@vigil/core';
import { createToken } from '@vigil/store';
import { prepareService } from '../context.js';
import { serviceCredentials } from '../service-accounts.js';

const startEnvSchema = z.object({ VIGIL_DATA_DIR: z.string().min(1).optional() });

interface Closable {
  close(): Promise<void>;
}

/** Closes in reverse start order; one failing close does not keep the others open. */
async function closeAll(parts: Array<[string, Closable]>, log: Logger): Promise<void> {
  for (const [name, part] of parts.reverse()) {
    await part.close().catch((err) => log.error({ err, part: name }, 'close failed'));
  }
}

/**
 * `vigil start`: the whole system in one process (DESIGN.md "embedded default"): local cluster unless
 * DATABASE_URL, migrations, gateway, ingest, alerts, api, and with --simulate a demo facility whose
 * simulated devices publish over real MQTT.
 */
async function runStart(options: { simulate?: number; facility: string }): Promise<void> {
  const env = parseEnv(startEnvSchema);
  const { log, databaseUrl } = await prepareService('vigil');
  // Loaded here, not at the top: every other `vigil` command starts without loading the services.
  const [
    { configFromEnv: gatewayConfig, start: startGateway },
    { configFromEnv: ingestConfig, start: startIngest },
    { configFromEnv: alertsConfig, start: startAlerts },
    { configFromEnv: apiConfig, start: startApi },
    { seedDemoFacility, startFleet },
  ] = await Promise.all([
    import('@vigil/gateway'),
    import('@vigil/ingest'),
    import('@vigil/alerts'),
    import('@vigil/api'),
    import('@vigil/simulators'),
  ]);
  const pool = createPool(databaseUrl, log, { max: 4 });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const parts: Array<[string, Closable]> = [['database pool', { close: () => pool.end() }]];
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await closeAll(parts, log);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const withDb = { ...process.env, DATABASE_URL: databaseUrl };
    const gatewayOptions = gatewayConfig(withDb);
    const dataDir = gatewayOptions.dataDir ?? (env.VIGIL_DATA_DIR ? `${env.VIGIL_DATA_DIR}/gateway` : undefined);
    const gateway = await startGateway({ ...gatewayOptions, ...(dataDir ? { dataDir } : {}), logger: log, metrics });
    parts.push(['gateway', gateway]);
    const local = { ...withDb, VIGIL_MQTT_URL: process.env.VIGIL_MQTT_URL ?? gateway.url };

    const ingestOptions = ingestConfig(local);
    const ingest = await startIngest({
      ...ingestOptions,
      databaseUrl,
      mqtt: await serviceCredentials(pool, ingestOptions.mqtt, 'ingest'),
      logger: log,
      metrics,
    });
    parts.push(['ingest', ingest]);

    const alertsOptions = alertsConfig(local);
    const alerts = await startAlerts({
      ...alertsOptions,
      databaseUrl,
      mqtt: await serviceCredentials(pool, alertsOptions.mqtt, 'alerts'),
      logger: log,
      metrics,
    });
    parts.push(['alerts', alerts]);

    const apiOptions = apiConfig(local);
    const api = await startApi({
      ...apiOptions,
      databaseUrl,
      mqtt: await serviceCredentials(pool, apiOptions.mqtt, 'api'),
      logger: log,
      metrics,
    });
    parts.push(['api', api]);

    let display = `${api.url}/display  (token: vigil token create --role display --facility <F> --json)`;
    if (options.simulate) {
      const demo = await seedDemoFacility(pool, { facility: options.facility, residents: options.simulate });
      const { token } = await createToken(pool, { role: 'display', facility: demo.facility, label: 'vigil start' });
      const fleet = await startFleet({ mqttUrl: gateway.url, devices: demo.devices, logger: log });
      parts.push(['simulated devices', fleet]);
      display = `${api.url}/display?token=${token}`;
      console.log(
        `simulating facility "${demo.facility}": ${options.simulate} residents, ${demo.devices.length} devices`,
      );
    }
    console.log(
      [
        'Vigil is running.',
        `  wall display   ${display}`,
        `  API docs       ${api.url}/docs   (OpenAPI: ${api.url}/api/v1/openapi.json)`,
        `  health         ${api.url}/healthz  ${api.url}/readyz  ${api.url}/metrics`,
        `  MQTT           ${gateway.url}  (protocol: docs/PROTOCOL.md)`,
        `  database       ${databaseUrl}`,
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );
  } catch (err) {
    await closeAll(parts, log);
    throw err;
  }
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'start everything in one process: local TimescaleDB (unless DATABASE_URL), migrations, gateway, ingest, alerts, api',
    )
    .option('--simulate <residents>', 'seed a demo facility with this many residents and simulate their devices', (v) =>
      z.coerce.number().int().min(1).max(5000).parse(v),
    )
    .option('--facility <id>', 'id of the simulated demo facility', 'demo')
    .addHelpText(
      'after',
      '\nEnvironment: DATABASE_URL, VIGIL_MQTT_HOST/PORT (127.0.0.1:1883), VIGIL_HTTP_HOST/PORT (127.0.0.1:8080),\n' +
        'VIGIL_DATA_DIR (.data), VIGIL_LOG_LEVEL, and each service\'s variables (README "Configuration").',
    )
    .action(runStart);
}
