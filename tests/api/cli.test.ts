import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { exited, freePort, spawnVigil, waitFor } from '../helpers/processes.js';

/** `vigil api` as an operator runs it: configured by the environment, stopped by a signal. */
describe('vigil api', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db.url);
  });
  afterAll(async () => {
    await gateway?.close().catch(() => undefined); // closed by the test already
    await db?.drop();
  });

  it('serves until SIGTERM, with its own service account on the broker', async () => {
    const port = await freePort();
    const { child, output } = spawnVigil(['api'], {
      DATABASE_URL: db.url,
      VIGIL_HTTP_PORT: String(port),
      VIGIL_MQTT_URL: gateway.url,
      VIGIL_LOG_LEVEL: 'warn',
    });
    try {
      const ready = await waitFor(
        'vigil api to be ready',
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`);
          return res.status === 200 ? res.json() : null;
        },
        30_000,
      );
      expect(ready).toMatchObject({ status: 'ready', checks: { database: 'ok', broker: 'ok' } });
      expect(output()).toContain(`wall display http://127.0.0.1:${port}/display?token=<display token>`);
      // Readiness follows the broker: without it no alert reaches the displays.
      await gateway.close();
      const notReady = await waitFor('readyz to report the broker', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 503 ? res.json() : null;
      });
      expect(notReady).toMatchObject({
        error: { code: 'VIGIL_ERR_API_NOT_READY', message: 'broker: disconnected' },
        checks: { database: 'ok', broker: 'disconnected' },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });
});
