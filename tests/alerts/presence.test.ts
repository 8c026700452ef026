import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReceipts } from '@vigil/store';
import type { AlertEvent } from '@vigil/protocol';
import { waitFor } from '../helpers/processes.js';
import {
  commandResult,
  manualClock,
  sendCommand,
  startServiceFixture,
  type ServiceFixture,
  type TestDevice,
} from './harness.js';

/**
 * docs/alerts.md "Presence at the resident" and "Receipts" through the real service: the room's call button marks
 * presence on its room's and residents' calls; an alert no display showed within 10 s is escalated once to the
 * safety officer, and one a display showed in time is not. The clock is the test's, so nobody waits 10 s.
 */
describe('presence and unseen alerts through the real service', () => {
  let fixture: ServiceFixture;
  let band: TestDevice;
  let button: TestDevice;
  const clock = manualClock();

  beforeAll(async () => {
    fixture = await startServiceFixture({ f1: {} }, { clock, unseenAfterMs: 10_000 });
    band = await fixture.connect({ facility: 'f1', id: 'wb-1', kind: 'wristband', resident: 'r1' });
    button = await fixture.connect({ facility: 'f1', id: 'bt-1', kind: 'button', location: 'room-1' });
  });
  afterAll(async () => fixture?.close());

  const next = (what: string, match: (e: AlertEvent) => boolean) => fixture.listener.next(what, match);
  const drill = async (args: object) => {
    const id = await sendCommand(fixture.db.pool, { facility: 'f1', command: 'drill', actor: 'user:officer', args });
    const { alertId } = await commandResult(fixture.db.pool, id);
    return (await next('drill raised', (e) => e.event === 'raised' && e.alert.id === alertId)).alert;
  };

  it("the room's call button puts a caregiver at every call of the room and its residents", async () => {
    await band.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.95 });
    const fall = (await next('fall', (e) => e.event === 'raised' && e.alert.rule === 'fall')).alert;
    await button.publish('event', { ts: Date.now(), type: 'sos' });
    const sos = (await next('sos', (e) => e.event === 'raised' && e.alert.rule === 'sos')).alert;
    const ack = await sendCommand(fixture.db.pool, {
      facility: 'f1',
      command: 'acknowledge',
      actor: 'user:anna',
      alertId: sos.id,
    });
    expect((await commandResult(fixture.db.pool, ack)).error).toBeNull();
    const kitchen = await drill({ rule: 'fire', location: 'kitchen-1' });

    await button.publish('event', { ts: Date.now(), type: 'presence' });
    const atFall = await next('presence at the fall', (e) => e.event === 'presence' && e.alert.id === fall.id);
    const atSos = await next('presence at the sos', (e) => e.event === 'presence' && e.alert.id === sos.id);
    expect(atFall).toMatchObject({
      actor: 'device:bt-1',
      alert: { status: 'acknowledged', acknowledgedBy: 'device:bt-1', presentBy: 'device:bt-1' },
    });
    // Already acknowledged by a caregiver: who is going stays recorded.
    expect(atSos.alert).toMatchObject({ acknowledgedBy: 'user:anna', presentBy: 'device:bt-1' });
    const { rows } = await fixture.db.pool.query(
      `SELECT id, present_by, present_at IS NOT NULL AS present, acknowledged_at <= present_at AS ordered
       FROM alerts WHERE id = ANY($1) ORDER BY rule`,
      [[fall.id, sos.id, kitchen.id]],
    );
    expect(rows).toEqual([
      { id: fall.id, present_by: 'device:bt-1', present: true, ordered: true },
      { id: kitchen.id, present_by: null, present: false, ordered: null },
      { id: sos.id, present_by: 'device:bt-1', present: true, ordered: true },
    ]);
    // The kitchen's fire needs its own presence before it is resolved.
    const early = await sendCommand(fixture.db.pool, {
      facility: 'f1',
      command: 'resolve',
      actor: 'user:anna',
      alertId: kitchen.id,
      args: { outcome: 'false_alarm' },
    });
    expect((await commandResult(fixture.db.pool, early)).error).toBe('VIGIL_ERR_ALERTS_PRESENCE_REQUIRED');
    for (const id of [fall.id, sos.id, kitchen.id]) {
      if (id === kitchen.id) {
        const present = await sendCommand(fixture.db.pool, {
          facility: 'f1',
          command: 'presence',
          actor: 'user:anna',
          alertId: id,
        });
        expect((await commandResult(fixture.db.pool, present)).error).toBeNull();
      }
      const args = { outcome: 'assisted' };
      const resolve = await sendCommand(fixture.db.pool, {
        facility: 'f1',
        command: 'resolve',
        actor: 'user:anna',
        alertId: id,
        args,
      });
      expect((await commandResult(fixture.db.pool, resolve)).error).toBeNull();
    }
  });

  it('escalates once to the officer an alert no display showed within 10 s, and not one a display showed', async () => {
    const unseen = await drill({ rule: 'fall', resident: 'r1' });
    const shown = await drill({ rule: 'sos', location: 'room-1' });
    const late = await drill({ rule: 'fire', location: 'kitchen-1' });
    const receipt = (alertId: string, afterMs: number) => ({
      alertId,
      eventId: 1,
      facility: 'f1',
      display: 'token-1',
      label: '护理站大屏',
      deliveredAt: new Date(Date.parse(shown.raisedAt) + 100),
      shownAt: new Date(Date.parse(shown.raisedAt) + afterMs),
    });
    await recordReceipts(fixture.db.pool, [receipt(shown.id, 3_000), receipt(late.id, 12_000)]);

    clock.advance(9_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // ticks every 50 ms: nothing yet
    const unseenEscalations = () =>
      fixture.listener.events.filter((e) => e.event === 'escalated' && e.actor === 'vigil:not-shown');
    expect(unseenEscalations()).toEqual([]);

    clock.advance(2_000);
    const first = await next('unseen escalated', (e) => e.event === 'escalated' && e.alert.id === unseen.id);
    expect(first).toMatchObject({ actor: 'vigil:not-shown', alert: { escalationLevel: 2, status: 'open' } });
    await next('late one escalated', (e) => e.event === 'escalated' && e.alert.id === late.id);
    clock.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Once each; the one a display showed in time never.
    expect(
      unseenEscalations()
        .map((e) => e.alert.id)
        .sort(),
    ).toEqual([unseen.id, late.id].sort());
    await waitFor('stored', async () => {
      const { rows } = await fixture.db.pool.query(
        `SELECT alert_id FROM alert_events WHERE type = 'escalated' AND actor = 'vigil:not-shown' ORDER BY alert_id`,
      );
      return rows.length === 2 ? rows : null;
    });
  });
});
