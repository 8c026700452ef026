import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/processes.js';
import { DISTRICT, RESIDENT, STATION, dwellingAlertEvent, startStation, type Station } from './station.js';

const HOUR = 3_600_000;

/** The station's roster and families kept through the api (docs/homecare.md "Stations and dwellings"). */
describe('shifts and family contacts through the api', () => {
  let station: Station;
  beforeAll(async () => {
    station = await startStation();
  });
  afterAll(async () => {
    await station?.close();
  });

  const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body) });
  const orderOf = async (alertId: string) =>
    (await station.db.pool.query('SELECT offered_to FROM work_orders WHERE alert_id = $1', [alertId])).rows[0]
      ?.offered_to as string[] | undefined;
  const familyDeliveries = async (alertId: string) =>
    (
      await station.db.pool.query(
        `SELECT d.id FROM notification_deliveries d JOIN work_orders o ON o.id = d.work_order_id
         WHERE o.alert_id = $1 AND d.reason = 'family'`,
        [alertId],
      )
    ).rowCount;

  it('a shift the lead adds puts 赵敏 on duty in the district: the next order is offered to her too', async () => {
    const { li, zhang } = station.tokens;
    const now = Date.now();
    const shift = {
      facility: STATION,
      user: 'zhao',
      startsAt: new Date(now - HOUR).toISOString(),
      endsAt: new Date(now + HOUR).toISOString(),
      district: DISTRICT,
    };
    expect((await station.call(zhang, '/staff-shifts', json('POST', shift))).status).toBe(403); // a caregiver
    const backwards = { ...shift, endsAt: shift.startsAt, startsAt: shift.endsAt };
    expect((await station.call(li, '/staff-shifts', json('POST', backwards))).status).toBe(400);
    expect((await station.call(li, '/staff-shifts', json('POST', { ...shift, user: 'nobody' }))).status).toBe(404);
    const created = await station.call(li, '/staff-shifts', json('POST', shift));
    expect(created).toMatchObject({ status: 201, body: { user: 'zhao', district: DISTRICT, lead: false } });

    const event = dwellingAlertEvent({ at: Date.now() }, 9401);
    await station.publishEvent(event);
    expect((await waitFor('the order', () => orderOf(event.alert.id))).sort()).toEqual(['zhang', 'zhao']);

    // Moved to another district, then off the roster: the shift list says so, and so does the audit log.
    const id = created.body.id;
    const moved = await station.call(li, `/staff-shifts/${STATION}/${id}`, json('PATCH', { district: '海淀区' }));
    expect(moved.body).toMatchObject({ id, district: '海淀区' });
    const mine = await station.call(zhang, `/staff-shifts?facility=${STATION}&mine=true`);
    expect(mine.body.shifts.map((s: { user: string }) => s.user)).toEqual(['zhang']);
    expect((await station.call(li, `/staff-shifts/${STATION}/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await station.call(li, `/staff-shifts/${STATION}/${id}`, { method: 'DELETE' })).status).toBe(404);
    const { rows } = await station.db.pool.query(`SELECT action FROM audit_log WHERE target = $1 ORDER BY id`, [
      `shift:${id}`,
    ]);
    expect(rows.map((r) => r.action)).toEqual(['shift.create', 'shift.update', 'shift.delete']);
  });

  it('a contact added with consent is told of a critical alert; withdrawn or removed, never again', async () => {
    const { li, zhang } = station.tokens;
    const path = `/residents/${STATION}/${RESIDENT}/contacts`;
    const added = await station.call(
      li,
      path,
      json('POST', {
        name: '王强',
        relation: '儿子',
        phone: '13800000000',
        email: 'wangqiang@example.com',
        consent: true,
      }),
    );
    expect(added).toMatchObject({ status: 201, body: { name: '王强', consentedAt: expect.any(String) } });
    const id = added.body.id;
    const listed = await station.call(zhang, path); // the station's staff may call the family
    expect(listed.body.contacts.map((c: { name: string }) => c.name)).toEqual(['王芳', '王强']);

    const emails = async () =>
      (
        await station.db.pool.query(
          `SELECT target->>'email' AS email FROM notification_endpoints WHERE contact_id = $1 AND disabled_at IS NULL`,
          [id],
        )
      ).rows.map((r) => r.email);
    expect(await emails()).toEqual(['wangqiang@example.com']);
    await station.call(li, `${path}/${id}`, json('PATCH', { email: 'wq@example.com' }));
    expect(await emails()).toEqual(['wq@example.com']);

    const sos = (eventId: number) => dwellingAlertEvent({ at: Date.now(), rule: 'sos', resident: RESIDENT }, eventId);
    const told = sos(9402);
    await station.publishEvent(told);
    await waitFor('the order', () => orderOf(told.alert.id));
    expect(await familyDeliveries(told.alert.id)).toBe(2); // 王芳 and 王强

    const withdrawn = await station.call(li, `${path}/${id}`, json('PATCH', { consent: false }));
    expect(withdrawn.body.consentedAt).toBeNull();
    const notTold = sos(9403);
    await station.publishEvent(notTold);
    await waitFor('the order', () => orderOf(notTold.alert.id));
    expect(await familyDeliveries(notTold.alert.id)).toBe(1); // 王芳 only

    await station.call(li, `${path}/${id}`, json('PATCH', { consent: true }));
    expect((await station.call(li, `${path}/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await station.call(zhang, path)).body.contacts.map((c: { name: string }) => c.name)).toEqual(['王芳']);
    expect(await emails()).toEqual([]);
    const { rows } = await station.db.pool.query(
      'SELECT phone, email, consented_at, removed_at FROM resident_contacts WHERE id = $1',
      [id],
    );
    expect(rows[0]).toMatchObject({ phone: null, email: null, consented_at: null, removed_at: expect.any(Date) });
    const removed = sos(9404);
    await station.publishEvent(removed);
    await waitFor('the order', () => orderOf(removed.alert.id));
    expect(await familyDeliveries(removed.alert.id)).toBe(1);

    // The audit trail names the contact and its consent, never a phone number or an address.
    const audit = await station.db.pool.query(`SELECT action, details FROM audit_log WHERE target = $1 ORDER BY id`, [
      `contact:${id}`,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual([
      'contact.create',
      'contact.update',
      'contact.update',
      'contact.update',
      'contact.delete',
    ]);
    expect(JSON.stringify(audit.rows)).not.toMatch(/13800000000|example\.com/);
  });
});
