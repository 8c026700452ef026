import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import { verifyChain } from '@vigil/alerts';
import { startTestGateway } from '../helpers/gateway.js';
import { startOwnCluster, type OwnCluster } from '../helpers/own-cluster.js';
import { waitFor } from '../helpers/processes.js';
import {
  connectDevice,
  listenForEvents,
  seedFacility,
  startTestAlerts,
  type EventListener,
  type TestDevice,
} from './harness.js';

// A throwaway cluster of its own: this test stops its database, which must never be the shared one.
describe('alerts while the database is down', () => {
  let cluster: OwnCluster;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let listener: EventListener;
  let band: TestDevice;
  let alerts: AlertsHandle;

  beforeAll(async () => {
    cluster = await startOwnCluster('vigil-alerts-pg-');
    const { pool, url } = cluster;
    await seedFacility(pool, 'f1');
    gateway = await startTestGateway(url);
    listener = await listenForEvents(pool, gateway.url);
    band = await connectDevice(pool, gateway.url, { facility: 'f1', id: 'wb-1', kind: 'wristband', resident: 'r1' });
    alerts = await startTestAlerts(pool, url, gateway.url);
  });
  afterAll(async () => {
    await band?.close();
    await listener?.close();
    await alerts?.close();
    await gateway?.close();
    await cluster?.close();
  });

  it('still pushes a fall from memory, and stores it in order once the database is back', async () => {
    await cluster.stop();
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.9 });
    const raised = await listener.next('fall raised without a database', (e) => e.event === 'raised');
    expect(raised.alert).toMatchObject({ rule: 'fall', resident: 'r1', status: 'open' });
    expect(alerts.backlog()).toBeGreaterThan(0);

    await cluster.start();
    await waitFor('backlog flushed', () => alerts.backlog() === 0, 30_000);
    const { rows } = await cluster.pool.query('SELECT id, type FROM alert_events ORDER BY id');
    expect(rows).toEqual([{ id: String(raised.eventId), type: 'raised' }]);
    const { rows: stored } = await cluster.pool.query('SELECT id, status FROM alerts');
    expect(stored).toEqual([{ id: raised.alert.id, status: 'open' }]);
    expect((await verifyChain(cluster.pool)).broken).toBeNull();
  });
});
