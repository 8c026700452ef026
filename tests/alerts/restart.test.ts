import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import {
  commandResult,
  connectDevice,
  manualClock,
  sendCommand,
  startBandFixture,
  startTestAlerts,
  type BandFixture,
} from './harness.js';

describe('alerts restart mid-escalation', () => {
  let fixture: BandFixture;
  let db: BandFixture['db'];
  let gateway: BandFixture['gateway'];
  let listener: BandFixture['listener'];
  let band: BandFixture['band'];
  let alerts: AlertsHandle | undefined;
  const clock = manualClock();
  // The same client id across the restart: the broker keeps the persistent session in between.
  const start = () => startTestAlerts(db.pool, db.url, gateway.url, { clock, clientId: 'vigil-alerts-restart' });

  beforeAll(async () => {
    fixture = await startBandFixture();
    ({ db, gateway, listener, band } = fixture);
  });
  afterAll(async () => {
    await alerts?.close();
    await fixture?.close();
  });

  it('resumes escalation timers from the database without re-raising, and stops them on acknowledgement', async () => {
    alerts = await start();
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.95 });
    const raised = await listener.next('raised', (e) => e.event === 'raised');
    const id = raised.alert.id;
    const escalations = () => listener.events.filter((e) => e.event === 'escalated' && e.alert.id === id);

    clock.advance(61_000);
    const first = await listener.next('first escalation', (e) => e.event === 'escalated' && e.alert.id === id);
    expect(first.alert.escalationLevel).toBe(1);
    await alerts.close();
    const lastBefore = alerts.lastEventId('f1');

    // Down for a minute; on start the next escalation is due (60 s after the last one) and follows at once.
    clock.advance(60_000);
    alerts = await start();
    expect(alerts.unresolved().map((a) => a.id)).toEqual([id]);
    const repeat = await listener.next('repeated escalation', (e) => e.event === 'escalated' && e.eventId > lastBefore);
    expect(repeat).toMatchObject({ alert: { id, escalationLevel: 1 } });
    expect(repeat.eventId).toBe(lastBefore + 1);
    expect(escalations()).toHaveLength(2);

    // A fall reported again after the restart is the open alert seen again (with its new detail), not a new alert.
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.99 });
    const updated = await listener.next('updated', (e) => e.event === 'updated');
    expect(updated.alert).toMatchObject({ id, detail: 'fall detected (confidence 0.99)' });

    clock.advance(60_000); // 181 s after raising: the safety officer
    const officer = await listener.next(
      'officer escalation',
      (e) => e.event === 'escalated' && e.alert.escalationLevel === 2,
    );
    expect(officer.alert.id).toBe(id);

    const ack = await sendCommand(db.pool, { facility: 'f1', command: 'acknowledge', actor: 'user:anna', alertId: id });
    expect((await commandResult(db.pool, ack)).error).toBeNull();
    const escalatedSoFar = escalations().length;
    // A drill raised now escalates 60 s later; the acknowledged fall, checked in that same pass, must not.
    const drill = await sendCommand(db.pool, { facility: 'f1', command: 'drill', actor: 'user:officer' });
    const { alertId: drillId } = await commandResult(db.pool, drill);
    clock.advance(61_000);
    await listener.next('drill escalation', (e) => e.event === 'escalated' && e.alert.id === drillId);
    expect(escalations()).toHaveLength(escalatedSoFar);

    const { rows } = await db.pool.query(`SELECT type FROM alert_events WHERE alert_id = $1 ORDER BY id`, [id]);
    expect(rows.map((r) => r.type)).toEqual([
      'raised',
      'escalated',
      'escalated',
      'updated',
      'escalated',
      'acknowledged',
    ]);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM alerts WHERE rule = 'fall'`)).rows[0].n).toBe(1);
  });

  it('rebuilds rule state from stored messages without re-raising what was already handled', async () => {
    const button = await connectDevice(db.pool, gateway.url, {
      facility: 'f1',
      id: 'bt-1',
      kind: 'button',
      resident: 'r1',
      location: 'room-1',
    });
    try {
      // ingest stores what the devices send; here the test plays ingest's part for the two events.
      const store = (device: string, ts: number, seq: number, type: string) =>
        db.pool.query(
          `INSERT INTO device_events (time, device_id, seq, facility_id, type) VALUES ($1, $2, $3, 'f1', $4)`,
          [new Date(ts), device, seq, type],
        );
      const pressed = Date.now();
      await button.publish('event', { ts: pressed, type: 'sos' });
      await store('bt-1', pressed, button.seq, 'sos');
      const sos = await listener.next('sos raised', (e) => e.event === 'raised' && e.alert.rule === 'sos');

      // A fall that was raised and resolved before the restart: its stored event must not raise it again.
      await db.pool.query(`INSERT INTO residents (facility_id, id, care_level) VALUES ('f1', 'r9', 'self-care')`);
      const band9 = await connectDevice(db.pool, gateway.url, {
        facility: 'f1',
        id: 'wb-9',
        kind: 'wristband',
        resident: 'r9',
      });
      await band9.publish('event', { ts: pressed, type: 'fall', confidence: 0.9 });
      await store('wb-9', pressed, band9.seq, 'fall');
      await band9.close();
      const fall = await listener.next('r9 fall', (e) => e.event === 'raised' && e.alert.resident === 'r9');
      const present = await sendCommand(db.pool, {
        facility: 'f1',
        command: 'presence',
        actor: 'user:anna',
        alertId: fall.alert.id,
      });
      expect((await commandResult(db.pool, present)).error).toBeNull();
      const resolve = await sendCommand(db.pool, {
        facility: 'f1',
        command: 'resolve',
        actor: 'user:anna',
        alertId: fall.alert.id,
        args: { outcome: 'false_alarm' },
      });
      expect((await commandResult(db.pool, resolve)).error).toBeNull();

      await alerts!.close();
      const lastBefore = alerts!.lastEventId('f1');
      alerts = await start();
      expect(alerts.lastEventId('f1')).toBe(lastBefore);

      // The cancel only downgrades an SOS the rule remembers: that memory came back from the stored event.
      await button.publish('event', { ts: pressed + 5_000, type: 'cancel' });
      const downgraded = await listener.next(
        'sos downgraded',
        (e) => e.event === 'updated' && e.alert.id === sos.alert.id,
      );
      expect(downgraded.alert.priority).toBe('high');
      expect(listener.events.filter((e) => e.eventId > lastBefore && e.event === 'raised')).toEqual([]);
    } finally {
      await button.close();
    }
  });
});
