import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { start as startAlerts, type AlertsHandle } from '@vigil/alerts';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopic } from '@vigil/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import { startApiFixture, type ApiFixture } from './fixture.js';

/** Acknowledge, presence, resolve and drills through the real alerts service (alert_commands + NOTIFY → event). */
describe('api commands with the alerts service', () => {
  let fx: ApiFixture;
  let alerts: AlertsHandle | null = null;
  let stream: StreamClient;
  let alertsMqtt: { url: string; username: string; password: string };

  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-alerts-'));
    fx = await startApiFixture({ commandTimeoutMs: 1500 });
    const account = await upsertServiceAccount(fx.db.pool, 'svc-alerts', 'alerts');
    alertsMqtt = { url: fx.gatewayUrl, username: account.id, password: account.secret };
    alerts = await startAlerts({ databaseUrl: fx.db.url, dataDir, mqtt: alertsMqtt });
    stream = await connectStream(fx.api.url, { token: fx.tokens.caregiver });
    await stream.next('snapshot');
  });
  afterAll(async () => {
    stream?.close();
    await alerts?.close();
    await fx?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = (token: string, path: string, body?: unknown) =>
    fx.call(token, path, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it('acknowledges and resolves a fall raised by a real device, once each', async () => {
    const device = await mqtt.connectAsync(fx.gatewayUrl, {
      clientId: 'wb-f1',
      username: 'wb-f1',
      password: fx.secrets['wb-f1'],
      protocolVersion: 4,
    });
    const fall = { seq: 1, ts: new Date().toISOString(), type: 'fall', confidence: 0.95 };
    await device.publishAsync(deviceTopic('f1', 'wb-f1', 'event'), JSON.stringify(fall), { qos: 1 });
    await device.endAsync();
    const raised = await stream.next('alert', (m) => m.event === 'raised' && m.alert.rule === 'fall');
    const id = raised.alert.id;

    const ack = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body.alert).toMatchObject({ id, status: 'acknowledged', acknowledgedBy: 'carol' });
    expect(ack.body.eventId).toBeGreaterThan(raised.eventId);
    await stream.next('alert', (m) => m.eventId === ack.body.eventId && m.event === 'acknowledged');

    const again = await post(fx.tokens.officer, `/api/v1/alerts/${id}/ack`);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'VIGIL_ERR_ALERTS_ALREADY_ACKNOWLEDGED' } } });

    // Acknowledge is not clear (DIN VDE 0834): a fall is resolved once somebody was at the resident.
    const early = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/resolve`, { outcome: 'assisted' });
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'VIGIL_ERR_ALERTS_PRESENCE_REQUIRED' } } });
    const present = await post(fx.tokens.officer, `/api/v1/alerts/${id}/presence`);
    expect(present.status).toBe(200);
    expect(present.body.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'carol', presentBy: 'otto' });
    await stream.next('alert', (m) => m.eventId === present.body.eventId && m.event === 'presence');
    const twice = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/presence`);
    expect(twice).toMatchObject({ status: 409, body: { error: { code: 'VIGIL_ERR_ALERTS_ALREADY_PRESENT' } } });
    const display = await post(fx.tokens.display, `/api/v1/alerts/${id}/presence`);
    expect(display.status).toBe(403);

    const resolved = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/resolve`, {
      outcome: 'assisted',
      note: 'helped back to bed',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.alert).toMatchObject({ status: 'resolved', outcome: 'assisted', resolvedBy: 'carol' });
    const again2 = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/resolve`, { outcome: 'other' });
    expect(again2).toMatchObject({ status: 409, body: { error: { code: 'VIGIL_ERR_ALERTS_ALREADY_RESOLVED' } } });

    const detail = await fx.call(fx.tokens.officer, `/api/v1/alerts/${id}`);
    expect(detail.body.events.map((e: { event: string; actor: string | null }) => [e.event, e.actor])).toEqual([
      ['raised', null],
      ['acknowledged', 'carol'],
      ['presence', 'otto'],
      ['resolved', 'carol'],
    ]);
    const { rows } = await fx.db.pool.query(
      'SELECT acknowledged_at < present_at AND present_at < resolved_at AS ordered FROM alerts WHERE id = $1',
      [id],
    );
    expect(rows).toEqual([{ ordered: true }]);
    const timeline = await fx.call(fx.tokens.officer, `/api/v1/alerts/${id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.response).toMatchObject({ acknowledgedBy: 'carol', resolvedBy: 'carol', outcome: 'assisted' });
    expect(timeline.body.response.secondsToAcknowledge).toBeGreaterThanOrEqual(0);
    expect(timeline.body.response.secondsToResolve).toBeGreaterThanOrEqual(timeline.body.response.secondsToAcknowledge);
    // Ingest does not run here, so the device's own rows are covered by the routes test.
    expect(timeline.body.device).toMatchObject({ id: 'wb-f1', kind: 'wristband' });
  });

  it('starts a drill that flows through the alerts service and is flagged everywhere', async () => {
    const drill = await post(fx.tokens.officer, '/api/v1/drills', { rule: 'fire', location: 'room-1' });
    expect(drill.status).toBe(201);
    expect(drill.body.alert).toMatchObject({ facility: 'f1', rule: 'fire', drill: true, status: 'open' });
    const pushed = await stream.next('alert', (m) => m.alert.id === drill.body.alert.id);
    expect(pushed).toMatchObject({ event: 'raised', eventId: drill.body.eventId, alert: { drill: true } });
    const listed = await fx.call(fx.tokens.officer, '/api/v1/alerts?drill=true&status=open');
    expect(listed.body.alerts.map((a: { id: string }) => a.id)).toEqual([drill.body.alert.id]);
  });

  it('answers 503 when the alerts service does not answer, and withdraws the command', async () => {
    const drill = await post(fx.tokens.officer, '/api/v1/drills', { rule: 'gas' });
    const id = drill.body.alert.id;
    await alerts!.close();
    alerts = null;
    const ack = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/ack`);
    expect(ack).toMatchObject({ status: 503, body: { error: { code: 'VIGIL_ERR_API_ALERTS_TIMEOUT' } } });
    const { rows } = await fx.db.pool.query(
      `SELECT processed_at IS NOT NULL AS processed, error_code FROM alert_commands WHERE alert_id = $1 AND command = 'acknowledge'`,
      [id],
    );
    expect(rows).toEqual([{ processed: true, error_code: 'VIGIL_ERR_API_ALERTS_TIMEOUT' }]);

    // A restarted alerts service does not apply the withdrawn acknowledgement; a new one works.
    alerts = await startAlerts({ databaseUrl: fx.db.url, dataDir, mqtt: alertsMqtt });
    const retry = await post(fx.tokens.caregiver, `/api/v1/alerts/${id}/ack`);
    expect(retry.status).toBe(200);
    const detail = await fx.call(fx.tokens.officer, `/api/v1/alerts/${id}`);
    expect(detail.body.events.filter((e: { event: string }) => e.event === 'acknowledged')).toHaveLength(1);
  });

  it('reports drills apart, with their response times', async () => {
    const report = await fx.call(fx.tokens.officer, '/api/v1/drills');
    expect(report.status).toBe(200);
    expect(report.body.summary).toMatchObject({ count: 2, acknowledged: 1, resolved: 0 });
    expect(report.body.summary.medianSecondsToAcknowledge).toBeGreaterThan(0);
    expect(report.body.drills.map((d: { alert: { rule: string } }) => d.alert.rule)).toEqual(['gas', 'fire']);
    expect(report.body.drills.every((d: { alert: { drill: boolean } }) => d.alert.drill)).toBe(true);
    expect((await fx.call(fx.tokens.regulator, '/api/v1/drills?facility=f1')).body.summary.count).toBe(2);
    expect((await fx.call(fx.tokens.caregiver, '/api/v1/drills')).status).toBe(403);
    expect((await fx.call(fx.tokens.regulatorSouth, '/api/v1/drills?facility=f1')).status).toBe(404);
  });
});
