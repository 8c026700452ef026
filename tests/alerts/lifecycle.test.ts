import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain, type AlertsHandle } from '@vigil/alerts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { vigil, waitFor } from '../helpers/processes.js';
import {
  commandResult,
  connectDevice,
  listenForEvents,
  seedFacility,
  sendCommand,
  startTestAlerts,
  type EventListener,
  type TestDevice,
} from './harness.js';

describe('alerts lifecycle through MQTT and the commands inbox', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let alerts: AlertsHandle;
  let listener: EventListener;
  let band: TestDevice;
  const metrics = new Registry();

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFacility(db.pool, 'f1');
    await seedFacility(db.pool, 'f2');
    gateway = await startTestGateway(db.url);
    alerts = await startTestAlerts(db.pool, db.url, gateway.url, { metrics });
    listener = await listenForEvents(db.pool, gateway.url);
    band = await connectDevice(db.pool, gateway.url, { facility: 'f1', id: 'wb-1', kind: 'wristband', resident: 'r1' });
  });
  afterAll(async () => {
    await band?.close();
    await listener?.close();
    await alerts?.close();
    await gateway?.close();
    await db?.drop();
  });

  const evaluatedEvents = async () => {
    const { values } = await metrics.getSingleMetric('vigil_alerts_messages_total')!.get();
    return values.find((v) => v.labels.kind === 'event' && v.labels.result === 'ok')?.value ?? 0;
  };
  const storedAlerts = async (where = 'true') =>
    (await db.pool.query(`SELECT * FROM alerts WHERE ${where} ORDER BY raised_at`)).rows;

  it('raises a fall, publishes it with an increasing event id, and stores alert and event', async () => {
    const before = alerts.lastEventId('f1');
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.93 });
    const raised = await listener.next('fall raised', (e) => e.event === 'raised' && e.alert.rule === 'fall');
    expect(raised.eventId).toBe(before + 1);
    expect(raised.alert).toMatchObject({
      facility: 'f1',
      priority: 'critical',
      status: 'open',
      resident: 'r1',
      device: 'wb-1',
      location: 'room-1',
      drill: false,
    });
    const rows = await waitFor('stored event', async () => {
      const { rows } = await db.pool.query('SELECT * FROM alert_events WHERE facility_id = $1 AND id = $2', [
        'f1',
        raised.eventId,
      ]);
      return rows[0];
    });
    expect(rows).toMatchObject({ alert_id: raised.alert.id, type: 'raised', facility_id: 'f1' });
    // A fall below the confidence threshold raises nothing.
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.2 });
  });

  it('keeps exactly one open alert when the same trigger arrives many times at once', async () => {
    await db.pool.query(
      `INSERT INTO residents (facility_id, id, care_level, location_id) VALUES ('f1', 'r2', 'semi-dependent', 'room-1')`,
    );
    const devices = await Promise.all(
      ['wb-2a', 'wb-2b', 'wb-2c'].map((id) =>
        connectDevice(db.pool, gateway.url, { facility: 'f1', id, kind: 'wristband', resident: 'r2' }),
      ),
    );
    try {
      const eventsBefore = await evaluatedEvents();
      const now = Date.now();
      await Promise.all(
        devices.flatMap((device) =>
          Array.from({ length: 15 }, (_, i) => device.publish('event', { ts: now + i, type: 'fall', confidence: 0.9 })),
        ),
      );
      // Every one of the 45 messages was evaluated before we count (the engine counts what it evaluated).
      await waitFor('all 45 falls evaluated', async () => (await evaluatedEvents()) >= eventsBefore + 45);
      await waitFor('the alert stored', async () => (await storedAlerts(`resident_id = 'r2'`)).length);
      await listener.next('r2 fall raised', (e) => e.event === 'raised' && e.alert.resident === 'r2');
      const rows = await storedAlerts(`resident_id = 'r2'`);
      expect(rows).toHaveLength(1);
      const raisedEvents = listener.events.filter((e) => e.event === 'raised' && e.alert.resident === 'r2');
      expect(raisedEvents).toHaveLength(1);
    } finally {
      await Promise.all(devices.map((d) => d.close()));
    }
  });

  it('acknowledges and resolves through alert_commands, recording who and when, and refuses what no longer applies', async () => {
    const [fall] = await storedAlerts(`rule = 'fall' AND resident_id = 'r1'`);
    const ack = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'acknowledge',
      actor: 'user:anna',
      alertId: fall.id,
    });
    expect(await commandResult(db.pool, ack)).toEqual({ error: null, alertId: fall.id });
    const acked = await listener.next('acknowledged', (e) => e.event === 'acknowledged' && e.alert.id === fall.id);
    expect(acked).toMatchObject({ actor: 'user:anna', alert: { status: 'acknowledged', acknowledgedBy: 'user:anna' } });

    const again = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'acknowledge',
      actor: 'user:ben',
      alertId: fall.id,
    });
    expect((await commandResult(db.pool, again)).error).toBe('VIGIL_ERR_ALERTS_ALREADY_ACKNOWLEDGED');
    const foreign = await sendCommand(db.pool, {
      facility: 'f2',
      command: 'acknowledge',
      actor: 'user:x',
      alertId: fall.id,
    });
    expect((await commandResult(db.pool, foreign)).error).toBe('VIGIL_ERR_ALERTS_NOT_FOUND');
    const bad = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'resolve',
      actor: 'user:anna',
      alertId: fall.id,
      args: { outcome: 'nothing' },
    });
    expect((await commandResult(db.pool, bad)).error).toBe('VIGIL_ERR_ALERTS_INVALID_COMMAND');

    const early = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'resolve',
      actor: 'user:anna',
      alertId: fall.id,
      args: { outcome: 'assisted' },
    });
    // Acknowledge is not clear (DIN VDE 0834): somebody must have been at the resident first.
    expect((await commandResult(db.pool, early)).error).toBe('VIGIL_ERR_ALERTS_PRESENCE_REQUIRED');
    const present = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'presence',
      actor: 'user:ben',
      alertId: fall.id,
    });
    expect((await commandResult(db.pool, present)).error).toBeNull();
    const resolve = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'resolve',
      actor: 'user:anna',
      alertId: fall.id,
      args: { outcome: 'assisted', note: 'helped back to bed' },
    });
    expect((await commandResult(db.pool, resolve)).error).toBeNull();
    const [row] = await storedAlerts(`id = '${fall.id}'`);
    expect(row).toMatchObject({
      status: 'resolved',
      outcome: 'assisted',
      resolved_by: 'user:anna',
      note: 'helped back to bed',
    });
    expect(row.acknowledged_by).toBe('user:anna');
    expect(row.present_by).toBe('user:ben');
    expect(row.acknowledged_at <= row.present_at && row.present_at <= row.resolved_at).toBe(true);

    const late = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'resolve',
      actor: 'u',
      alertId: fall.id,
      args: { outcome: 'other' },
    });
    expect((await commandResult(db.pool, late)).error).toBe('VIGIL_ERR_ALERTS_ALREADY_RESOLVED');
  });

  it('runs a drill through the real path, flagged and apart from real alerts', async () => {
    const id = await sendCommand(db.pool, {
      facility: 'f1',
      command: 'drill',
      actor: 'user:officer',
      args: { rule: 'fall', resident: 'r1', detail: 'night drill' },
    });
    const { error, alertId } = await commandResult(db.pool, id);
    expect(error).toBeNull();
    const raised = await listener.next('drill raised', (e) => e.alert.id === alertId);
    expect(raised).toMatchObject({ event: 'raised', actor: 'user:officer', alert: { drill: true, rule: 'fall' } });
    const [row] = await storedAlerts(`id = '${alertId}'`);
    expect(row).toMatchObject({ drill: true, subject: `drill:${id}` });
  });

  it('keeps a verifiable hash chain per facility and names the first tampered event', async () => {
    const intact = await verifyChain(db.pool);
    expect(intact.broken).toBeNull();
    const f1 = intact.facilities.find((f) => f.facility === 'f1')!;
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n, min(id)::int AS first FROM alert_events WHERE facility_id = 'f1'`,
    );
    expect(f1.events).toBe(rows[0].n);

    const victim = rows[0].first + 2;
    // The table refuses UPDATE through its trigger; only a superuser switching it off can tamper.
    await expect(db.pool.query(`UPDATE alert_events SET actor = 'x' WHERE id = $1`, [victim])).rejects.toThrow(
      /append-only/,
    );
    const client = await db.pool.connect();
    try {
      await client.query('ALTER TABLE alert_events DISABLE TRIGGER alert_events_append_only');
      await client.query(
        `UPDATE alert_events SET data = jsonb_set(data, '{detail}', '"nothing happened"') WHERE id = $1`,
        [victim],
      );
      await client.query('ALTER TABLE alert_events ENABLE TRIGGER alert_events_append_only');
    } finally {
      client.release();
    }
    const tampered = await verifyChain(db.pool, { facility: 'f1' });
    expect(tampered.broken).toMatchObject({
      facility: 'f1',
      eventId: victim,
      reason: expect.stringMatching(/changed/),
    });
    expect(tampered.facilities).toEqual([{ facility: 'f1', events: 2 }]);

    // The same through the CLI, as an auditor runs it: exit 1 and the broken link named.
    const cli = vigil(['audit', 'verify', '--facility', 'f1'], { DATABASE_URL: db.url });
    await expect(cli).rejects.toThrow(new RegExp(`VIGIL_ERR_ALERTS_CHAIN_BROKEN: facility f1: event ${victim}: `));
  });
});
