import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopicFilter } from '@vigil/protocol';
import { waitFor } from '../helpers/processes.js';
import { startBandFixture, startTestAlerts, type BandFixture } from './harness.js';

const CLIENT_ID = 'vigil-alerts-sessions';

describe('alerts broker sessions (events apart from readings)', () => {
  let fixture: BandFixture;
  let alerts: AlertsHandle | undefined;
  const registry = new Registry();

  beforeAll(async () => {
    fixture = await startBandFixture();
  });
  afterAll(async () => {
    await alerts?.close();
    await fixture?.close();
  });

  const handled = async (kind: string) => {
    const metric = await registry.getSingleMetric('vigil_alerts_messages_total')!.get();
    return metric.values.filter((v) => v.labels.kind === kind).reduce((sum, v) => sum + v.value, 0);
  };

  it('takes over a session that held every device topic without handling any message twice', async () => {
    // A session of the same client id subscribed to all three topic kinds, as one connection used to be.
    const { db, gateway, listener, band } = fixture;
    const { secret } = await upsertServiceAccount(db.pool, 'svc-alerts', 'alerts');
    const old = await mqtt.connectAsync(gateway.url, {
      clientId: CLIENT_ID,
      username: 'svc-alerts',
      password: secret,
      clean: false,
      protocolVersion: 4,
    });
    await old.subscribeAsync(
      (['reading', 'event', 'status'] as const).map((kind) => deviceTopicFilter(kind)),
      { qos: 1 },
    );
    await old.endAsync();

    alerts = await startTestAlerts(db.pool, db.url, gateway.url, { clientId: CLIENT_ID, metrics: registry });
    const readings = 20;
    for (let i = 0; i < readings; i += 1) await band.publish('reading', { ts: Date.now() - 1_000 + i, hr: 70 });
    // Markers on both sessions: each arrives after every copy of a reading its session could have been sent.
    await band.publish('status', { online: true, ts: Date.now() });
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.95 });
    await listener.next('fall raised', (e) => e.event === 'raised' && e.alert.rule === 'fall');
    await waitFor('status handled', async () => (await handled('status')) >= 1);
    expect(await handled('reading')).toBe(readings);
    expect(await handled('event')).toBe(1);
  });
});
