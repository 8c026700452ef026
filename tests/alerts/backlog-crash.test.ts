import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@vigil/alerts';
import { upsertServiceAccount } from '@vigil/store';
import { startTestGateway } from '../helpers/gateway.js';
import { startOwnCluster, type OwnCluster } from '../helpers/own-cluster.js';
import { exited, spawnVigil, waitFor } from '../helpers/processes.js';
import { connectDevice, listenForEvents, seedFacility, type EventListener, type TestDevice } from './harness.js';

/**
 * docs/alerts.md "Backlog on disk": alert events raised while the database is down are on local disk before they are
 * shown, so `kill -9` of the alerts process loses none of them. A throwaway cluster: this test stops its database.
 */
describe('alerts backlog across a crash while the database is down', () => {
  let cluster: OwnCluster;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let listener: EventListener;
  let band: TestDevice;
  let env: NodeJS.ProcessEnv;
  let running: ReturnType<typeof spawnVigil> | null = null;

  /** `vigil alerts` as its own process, resolved once it is subscribed. */
  async function startAlertsProcess(): Promise<ReturnType<typeof spawnVigil>> {
    const alerts = spawnVigil(['alerts'], env);
    running = alerts;
    await waitFor('alerts ready', () => alerts.output().includes('alerts service ready'), 60_000);
    return alerts;
  }

  beforeAll(async () => {
    cluster = await startOwnCluster('vigil-alerts-crash-');
    const { pool, url, dir } = cluster;
    await seedFacility(pool, 'f1');
    gateway = await startTestGateway(url);
    listener = await listenForEvents(pool, gateway.url);
    band = await connectDevice(pool, gateway.url, { facility: 'f1', id: 'wb-1', kind: 'wristband', resident: 'r1' });
    const { secret } = await upsertServiceAccount(pool, 'svc-alerts', 'alerts');
    env = {
      DATABASE_URL: url,
      VIGIL_MQTT_URL: gateway.url,
      VIGIL_ALERTS_MQTT_PASSWORD: secret,
      VIGIL_ALERTS_CLIENT_ID: 'vigil-alerts-crash',
      VIGIL_ALERTS_DATA_DIR: path.join(dir, 'alerts'),
      VIGIL_LOG_LEVEL: 'info',
    };
  });
  afterAll(async () => {
    if (running?.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await exited(running.child);
    }
    await band?.close();
    await listener?.close();
    await gateway?.close();
    await cluster?.close();
  });

  it('stores every event shown before the crash once, in order, and the chain verifies', async () => {
    const first = await startAlertsProcess();
    await cluster.stop();
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.9 });
    await band.publish('event', { ts: Date.now(), type: 'sos' });
    const shown = [
      await listener.next('fall shown', (e) => e.event === 'raised' && e.alert.rule === 'fall'),
      await listener.next('sos shown', (e) => e.event === 'raised' && e.alert.rule === 'sos'),
    ];

    first.child.kill('SIGKILL');
    await exited(first.child);
    await cluster.start();
    await startAlertsProcess();

    const ids = shown.map((e) => String(e.eventId));
    const stored = await waitFor('events stored', async () => {
      const { rows } = await cluster.pool.query<{ id: string; type: string; alert_id: string }>(
        'SELECT id, type, alert_id FROM alert_events WHERE id = ANY($1) ORDER BY id',
        [ids],
      );
      return rows.length === shown.length ? rows : null;
    });
    expect(stored).toEqual(shown.map((e) => ({ id: String(e.eventId), type: 'raised', alert_id: e.alert.id })));
    const { rows: alerts } = await cluster.pool.query('SELECT rule, status FROM alerts ORDER BY raised_at');
    expect(alerts).toEqual([
      { rule: 'fall', status: 'open' },
      { rule: 'sos', status: 'open' },
    ]);
    expect((await verifyChain(cluster.pool)).broken).toBeNull();
  });
});
