import { createPool, silentLogger, systemClock, type MqttService } from '@vigil/core';
import type { HubOptions } from './config.js';
import { createRegionServer } from './http.js';
import { startWorker } from './worker.js';

export { configFromEnv, HUB_ENV_HELP, type HubOptions } from './config.js';

export interface HubHandle {
  /** The region API's base url, when it runs. */
  url: string | null;
  close(): Promise<void>;
}

/**
 * Starts the regional hub (docs/hub.md): one worker on the region broker's shared subscription, writing into the
 * regional database, and (with `http`) the region API. Run more of them with distinct worker ids to scale out.
 */
export async function start(options: HubOptions): Promise<HubHandle> {
  const log = (options.logger ?? silentLogger()).child({ module: 'hub' });
  const clock = options.clock ?? systemClock;
  const pool = createPool(options.databaseUrl, log, { max: 4, application_name: 'vigil-hub' });
  let worker: MqttService | null = null;
  let app: Awaited<ReturnType<typeof createRegionServer>> | null = null;
  try {
    worker = await startWorker(pool, options.mqtt, log);
    let url: string | null = null;
    if (options.http) {
      app = await createRegionServer({ db: pool, clock }, { log, token: options.http.token });
      await app.listen({ host: options.http.host, port: options.http.port });
      const address = app.server.address();
      url = `http://${options.http.host}:${typeof address === 'object' && address ? address.port : options.http.port}`;
      log.info({ url }, 'region API listening');
    }
    let closing: Promise<void> | null = null;
    return {
      url,
      close() {
        closing ??= (async () => {
          await app?.close();
          await worker?.close();
          await pool.end();
        })();
        return closing;
      },
    };
  } catch (err) {
    await app?.close();
    await worker?.close();
    await pool.end();
    throw err;
  }
}
