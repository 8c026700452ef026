import type { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import {
  ConfigError,
  createLogger,
  createPool,
  listenOn,
  migrate,
  mqttCa,
  openLocalCluster,
  parseEnv,
  type Logger,
} from '@vigil/core';
import { createToken } from '@vigil/store';
import { gatewayPort, httpPort } from '../ports.js';
import { serviceCredentials } from '../service-accounts.js';
import { seedDemoStaff, startDemo, type Closable } from '../start-demo.js';

const startEnvSchema = z.object({
  VIGIL_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).optional(),
  VIGIL_DEMO_SCENARIO_EVERY_S: z.coerce.number().min(0).default(180),
});

/** How long one part may take to close before the stop goes on without it. */
const CLOSE_DEADLINE_MS = 10_000;

/**
 * Closes in reverse start order; one failing close does not keep the others open, nor one that never ends: while a
 * part closes, its deadline's timer keeps the process alive, where a close whose promise never settled would
 * otherwise let node exit, with 0 and without a word about the parts left.
 */
export async function closeAll(
  parts: Array<[string, Closable]>,
  log: Logger,
  deadlineMs = CLOSE_DEADLINE_MS,
): Promise<void> {
  for (const [name, part] of parts.reverse()) {
    let deadline: NodeJS.Timeout | undefined;
    const overdue = new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        log.error({ part: name, deadlineMs }, 'close timed out; stopping without it');
        resolve();
      }, deadlineMs);
    });
    await Promise.race([part.close().catch((err) => log.error({ err, part: name }, 'close failed')), overdue]);
    clearTimeout(deadline);
  }
}

/**
 * The in-process services' broker: the gateway's URL (or VIGIL_MQTT_URL). With plain TCP off they connect over TLS
 * like the home kits, trusting VIGIL_MQTT_CA, else the gateway's own certificate (enough for a self-signed one).
 */
function localBroker(
  gatewayUrl: string,
  tls: { certFile: string; only?: boolean; requireClientCert?: boolean } | undefined,
) {
  const env: Record<string, string> = { VIGIL_MQTT_URL: process.env.VIGIL_MQTT_URL ?? gatewayUrl };
  if (!tls?.only) return env;
  // The services hold a broker account, not a client certificate.
  if (tls.requireClientCert)
    throw ConfigError(
      'VIGIL_MQTT_TLS_ONLY with VIGIL_MQTT_TLS_REQUIRE_CLIENT_CERT: run the services apart from the gateway',
    );
  return { ...env, VIGIL_MQTT_CA: process.env.VIGIL_MQTT_CA ?? tls.certFile };
}

/**
 * `vigil start`: the whole system in one process (the embedded default, docs/ARCHITECTURE.md "Interfaces"): local
 * cluster unless DATABASE_URL, migrations, gateway, ingest, alerts, dispatch, api, and with --simulate a demo facility whose
 * simulated devices publish over real MQTT. SIGINT, SIGTERM and SIGHUP stop all of it, the local cluster too when
 * this process started it.
 */
async function runStart(options: { simulate?: number; facility: string; scenarioEvery?: number }): Promise<void> {
  const env = parseEnv(startEnvSchema);
  const log = createLogger({ name: 'vigil' });
  const parts: Array<[string, Closable]> = [];
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await closeAll(parts, log);
    log.info('stopped');
    process.exit(0);
  };
  // Registered first: a Ctrl-C while starting stops what has started so far. A second one kills at once.
  // SIGHUP: the terminal it runs in was closed.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void shutdown(signal));

  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const cluster = await openLocalCluster(log);
      parts.push(['local PostgreSQL cluster', cluster]);
      databaseUrl = cluster.url;
    }
    await migrate(databaseUrl, log);
    // Loaded here, not at the top: every other `vigil` command starts without loading the services.
    const [
      { configFromEnv: gatewayConfig, start: startGateway },
      { configFromEnv: ingestConfig, start: startIngest },
      { configFromEnv: alertsConfig, start: startAlerts },
      { configFromEnv: apiConfig, start: startApi },
      { configFromEnv: dispatchConfig, start: startDispatch },
    ] = await Promise.all([
      import('@vigil/gateway'),
      import('@vigil/ingest'),
      import('@vigil/alerts'),
      import('@vigil/api'),
      import('@vigil/dispatch'),
    ]);
    const pool = createPool(databaseUrl, log, { max: 4 });
    parts.push(['database pool', { close: () => pool.end() }]);
    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics });

    const withDb = { ...process.env, DATABASE_URL: databaseUrl };
    const gatewayOptions = gatewayConfig(withDb);
    const dataDir = gatewayOptions.dataDir ?? (env.VIGIL_DATA_DIR ? `${env.VIGIL_DATA_DIR}/gateway` : undefined);
    const gateway = await listenOn(gatewayPort(gatewayOptions), () =>
      startGateway({ ...gatewayOptions, ...(dataDir ? { dataDir } : {}), logger: log, metrics }),
    );
    parts.push(['gateway', gateway]);
    const local: NodeJS.ProcessEnv = { ...withDb, ...localBroker(gateway.url, gatewayOptions.tls) };

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
      ...(env.VIGIL_DATA_DIR && !process.env.VIGIL_ALERTS_DATA_DIR ? { dataDir: `${env.VIGIL_DATA_DIR}/alerts` } : {}),
      databaseUrl,
      mqtt: await serviceCredentials(pool, alertsOptions.mqtt, 'alerts'),
      logger: log,
      metrics,
    });
    parts.push(['alerts', alerts]);

    // Idle in a care home: only alerts of dwellings (home-care stations) become work orders.
    const dispatchOptions = dispatchConfig(local);
    const dispatch = await startDispatch({
      ...dispatchOptions,
      databaseUrl,
      mqtt: await serviceCredentials(pool, dispatchOptions.mqtt, 'dispatch'),
      logger: log,
    });
    parts.push(['dispatch', dispatch]);

    const apiOptions = apiConfig(local);
    const api = await listenOn(httpPort(apiOptions), async () =>
      startApi({
        ...apiOptions,
        databaseUrl,
        mqtt: await serviceCredentials(pool, apiOptions.mqtt, 'api'),
        logger: log,
        metrics,
      }),
    );
    parts.push(['api', api]);

    let display = `${api.url}/display  (token: vigil token create --role display --facility <F> --json)`;
    let signIn = 'vigil user add … --password-stdin, then POST /api/v1/auth/login';
    if (options.simulate) {
      const everyS = options.scenarioEvery ?? env.VIGIL_DEMO_SCENARIO_EVERY_S;
      const demo = await startDemo(
        {
          pool,
          mqttUrl: gateway.url,
          mqttCa: mqttCa(local),
          facility: options.facility,
          residents: options.simulate,
          scenarioEveryMs: everyS * 1000,
          log,
        },
        parts,
      );
      const { token } = await createToken(pool, { role: 'display', facility: demo.facility, label: 'vigil start' });
      display = `${api.url}/display?token=${token}`;
      const staff = await seedDemoStaff(pool, demo);
      signIn = staff.map((s) => `${s.id} / ${s.password} (${s.name}, ${s.role})`).join(' · ');
      console.log(
        `simulating facility "${demo.facility}": ${options.simulate} residents, ${demo.devices} devices; ` +
          (everyS ? `a scenario from the library every ${everyS} s` : 'no scenarios of its own') +
          ` (vigil simulate --scenario NAME plays one on them)`,
      );
    }
    console.log(
      [
        'Vigil is running.',
        `  wall display   ${display}`,
        `  officer        ${api.url}/officer`,
        `  regulator      ${api.url}/regulator`,
        `  sign in        ${signIn}`,
        `  staff page     ${api.url}/staff   (home-care stations' staff, on a phone)`,
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
    .option(
      '--scenario-every <seconds>',
      'with --simulate: a scenario from the library this often (default $VIGIL_DEMO_SCENARIO_EVERY_S, 180; 0: none)',
      (v) => z.coerce.number().min(0).parse(v),
    )
    .addHelpText(
      'after',
      '\nEnvironment: DATABASE_URL, VIGIL_MQTT_HOST/PORT (127.0.0.1:1883), VIGIL_HTTP_HOST/PORT (127.0.0.1:8080),\n' +
        'VIGIL_DATA_DIR (.data), VIGIL_PG_PORT (55432), VIGIL_LOG_LEVEL, VIGIL_LOG_FORMAT (pretty on a terminal, else json),\n' +
        'VIGIL_DEMO_SCENARIO_EVERY_S, and each service\'s variables (README "Configuration").\n' +
        'Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops everything it started; a local cluster that was already running is\n' +
        'left running.',
    )
    .action(runStart);
}
