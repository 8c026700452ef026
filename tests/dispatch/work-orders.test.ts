import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '@vigil/protocol';
import type { AlertsHandle } from '@vigil/alerts';
import { manualClock, startTestAlerts } from '../alerts/harness.js';
import { waitFor } from '../helpers/processes.js';
import { DWELLING, RESIDENT, STATION, dwellingAlertEvent, startStation, type Station } from './station.js';

const MINUTE = 60_000;

describe('dispatch: a dwelling alert becomes a work order', () => {
  const clock = manualClock();
  let station: Station;
  let alerts: AlertsHandle;

  beforeAll(async () => {
    station = await startStation({ clock, dispatch: { times: { acceptMs: 5 * MINUTE } } });
    alerts = await startTestAlerts(station.db.pool, station.db.url, station.gateway.url, { clock });
  });
  afterAll(async () => {
    await alerts?.close();
    await station?.close();
  });

  const orderOf = async (alertId: string) =>
    (await station.db.pool.query('SELECT id FROM work_orders WHERE alert_id = $1', [alertId])).rows[0]?.id as
      string | undefined;

  it('SOS over MQTT → order offered to the district’s staff → accepted, en route, on site, done, each step timed', async () => {
    const button = station.kit.find((d) => d.kind === 'button')!;
    expect(station.kit.map((d) => d.kind)).toEqual(['button', 'pir', 'bedmat', 'door', 'smoke', 'gas']);
    const device = await mqtt.connectAsync(station.gateway.url, {
      clientId: button.id,
      username: button.id,
      password: button.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await device.publishAsync(
      deviceTopic(STATION, button.id, 'event'),
      JSON.stringify({ seq: 1, ts: Date.now(), type: 'sos' }),
      { qos: 1 },
    );
    await device.endAsync();

    const open = await waitFor('the work order in the station view', async () => {
      const { body } = await station.call(station.tokens.li, '/work-orders');
      return body.workOrders?.[0];
    });
    expect(open).toMatchObject({
      facility: STATION,
      location: DWELLING,
      resident: RESIDENT,
      rule: 'sos',
      priority: 'critical',
      status: 'offered',
      offeredTo: ['zhang'], // on duty in the dwelling's district; 赵敏 covers another
      onSiteInTime: null,
    });
    expect(Date.parse(open.onSiteDueAt) - Date.parse(open.createdAt)).toBe(15 * MINUTE);

    // 赵敏 sees nothing of hers; 张伟 sees it among his.
    expect((await station.call(station.tokens.zhao, '/work-orders?mine=true')).body.workOrders).toEqual([]);
    expect((await station.call(station.tokens.zhang, '/work-orders?mine=true')).body.workOrders[0].id).toBe(open.id);

    const step = (token: string, name: string) =>
      station.call(token, `/work-orders/${open.id}/${name}`, { method: 'POST', body: '{}' });
    expect((await step(station.tokens.zhang, 'on-site')).status).toBe(409); // not accepted yet
    const accepted = await step(station.tokens.zhang, 'accept');
    expect(accepted.body).toMatchObject({ status: 'accepted', assignee: 'zhang', assigneeName: '张伟' });
    // The station view names who has it (staff may not list users: the name comes with the order).
    expect((await station.call(station.tokens.li, '/work-orders')).body.workOrders[0]).toMatchObject({
      assignee: 'zhang',
      assigneeName: '张伟',
      doneByName: null,
    });
    const taken = await step(station.tokens.zhao, 'accept');
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'VIGIL_ERR_API_WORK_ORDER_CONFLICT' } } });
    clock.advance(MINUTE);
    expect((await step(station.tokens.zhang, 'en-route')).body.status).toBe('en_route');
    clock.advance(9 * MINUTE);
    const onSite = await step(station.tokens.zhang, 'on-site');
    expect(onSite.body).toMatchObject({ status: 'on_site', onSiteInTime: true });
    clock.advance(20 * MINUTE);
    const finish = (body: unknown) =>
      station.call(station.tokens.zhang, `/work-orders/${open.id}/done`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
    // A visit is finished with its outcome: without one, or with an unknown one, 400 and nothing changes.
    const bare = await finish({ note: '老人按错按钮，已安抚' });
    expect(bare).toMatchObject({ status: 400, body: { error: { code: 'VIGIL_ERR_API_VALIDATION' } } });
    expect(bare.body.error.message).toContain('body/outcome');
    expect((await finish({ outcome: 'fine' })).body.error.message).toContain('body/outcome');
    expect((await step(station.tokens.zhang, 'done')).status).toBe(400);
    expect((await station.call(station.tokens.li, `/work-orders/${open.id}`)).body).toMatchObject({
      status: 'on_site',
      outcome: null,
    });
    const done = await finish({ outcome: 'false_alarm', note: '老人按错按钮，已安抚' });
    expect(done.body).toMatchObject({
      status: 'done',
      doneBy: 'zhang',
      doneByName: '张伟',
      outcome: 'false_alarm',
      note: '老人按错按钮，已安抚',
    });
    // The order's events: the audit entry of the step carries the outcome (a category), never the note.
    const { rows: audit } = await station.db.pool.query(
      `SELECT details FROM audit_log WHERE action = 'work-order.done' AND target = $1`,
      [`work-order:${open.id}`],
    );
    expect(audit).toEqual([{ details: { user: 'zhang', outcome: 'false_alarm' } }]);
    const stored = await station.db.pool.query('SELECT outcome FROM work_orders WHERE id = $1', [open.id]);
    expect(stored.rows).toEqual([{ outcome: 'false_alarm' }]);
    // An outcome belongs to finishing only.
    const early = await station.call(station.tokens.zhang, `/work-orders/${open.id}/accept`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'resident_ok' }),
    });
    expect(early).toMatchObject({ status: 400, body: { error: { code: 'VIGIL_ERR_API_VALIDATION' } } });

    const times = ['acceptedAt', 'enRouteAt', 'onSiteAt', 'doneAt'].map((k) => Date.parse(done.body[k]));
    expect(times.every(Number.isFinite)).toBe(true);
    // The clock moves with real time plus what the test adds: each step at least the added time after the last.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(MINUTE);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(9 * MINUTE);
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(20 * MINUTE);
    expect((await station.call(station.tokens.li, '/work-orders')).body.workOrders).toEqual([]); // nothing open

    // Where to go and how to get in, for the staff.
    const dwellings = (await station.call(station.tokens.zhang, `/dwellings?facility=${STATION}`)).body.dwellings;
    expect(dwellings).toEqual([
      expect.objectContaining({ id: DWELLING, district: '朝阳区', accessNote: '钥匙盒在门左侧，密码 2468' }),
    ]);
    const history = await station.call(station.tokens.li, '/work-orders?status=all');
    expect(history.body.workOrders).toHaveLength(1);
  });

  it('nobody accepts → escalated to the station lead after the configured minutes, once', async () => {
    const event = dwellingAlertEvent({ at: clock.now() });
    const alertId = event.alert.id;
    await station.publishEvent(event);
    const id = await waitFor('the gas work order', () => orderOf(alertId));
    clock.advance(4 * MINUTE);
    await station.dispatch.tick();
    expect((await station.call(station.tokens.li, `/work-orders/${id}`)).body.escalatedAt).toBeNull();

    clock.advance(MINUTE + 1_000);
    await station.dispatch.tick();
    const escalated = (await station.call(station.tokens.li, `/work-orders/${id}`)).body;
    expect(escalated).toMatchObject({ status: 'offered', escalatedTo: ['li'] });
    expect(Date.parse(escalated.escalatedAt) - Date.parse(escalated.createdAt)).toBeGreaterThanOrEqual(5 * MINUTE);
    // The lead now sees it among hers and may take it.
    const mine = (await station.call(station.tokens.li, '/work-orders?mine=true')).body.workOrders;
    expect(mine.map((o: { id: string }) => o.id)).toEqual([id]);

    // A redelivered alert event (after a restart of dispatch, the same durable session) opens nothing new.
    await station.restartDispatch();
    await station.publishEvent(event);
    await station.dispatch.tick();
    const { rows } = await station.db.pool.query('SELECT count(*)::int AS n FROM work_orders WHERE alert_id = $1', [
      alertId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('an alert resolved before anyone accepted cancels its order; drills and kit faults open none', async () => {
    const event = dwellingAlertEvent({ at: clock.now(), rule: 'fire' }, 9101);
    await station.publishEvent(event);
    const id = await waitFor('the fire work order', () => orderOf(event.alert.id));
    const drill = dwellingAlertEvent({ at: clock.now(), rule: 'fire', drill: true }, 9102);
    const offline = dwellingAlertEvent({ at: clock.now(), rule: 'device_offline', priority: 'high' }, 9103);
    await station.publishEvent(drill);
    await station.publishEvent(offline);
    const resolvedAt = new Date(clock.now()).toISOString();
    await station.publishEvent({
      ...event,
      eventId: 9104,
      event: 'resolved',
      at: resolvedAt,
      alert: { ...event.alert, status: 'resolved', resolvedAt, outcome: 'false_alarm' },
    });
    await waitFor(
      'cancelled',
      async () => (await station.call(station.tokens.li, `/work-orders/${id}`)).body.status === 'cancelled',
    );
    // Events of one session arrive in order: the drill and the offline alert were handled before the resolution.
    expect(await orderOf(drill.alert.id)).toBeUndefined();
    expect(await orderOf(offline.alert.id)).toBeUndefined();
  });
});
