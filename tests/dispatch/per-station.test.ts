import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startDispatch, type DispatchHandle } from '@vigil/dispatch';
import { addDwelling, addFacility, addShift, addUser, setFacilityKind, upsertServiceAccount } from '@vigil/store';
import { manualClock } from '../alerts/harness.js';
import { waitFor } from '../helpers/processes.js';
import { STATION, dwellingAlertEvent, startStation, type Station } from './station.js';

const MINUTE = 60_000;
const OTHER = 'st-haidian';

/** docs/homecare.md "One dispatch process per station": `station` confines a dispatch process to one station. */
describe('dispatch scoped to one station', () => {
  const clock = manualClock();
  let station: Station;
  let other: DispatchHandle | null = null;

  beforeAll(async () => {
    // The station's own dispatch sees only st-chaoyang; st-haidian is another station of the same database.
    station = await startStation({ clock, dispatch: { station: STATION, times: { acceptMs: 5 * MINUTE } } });
    const pool = station.db.pool;
    await addFacility(pool, { id: OTHER, name: '海淀区居家养老服务站', region: 'beijing', timezone: 'Asia/Shanghai' });
    await setFacilityKind(pool, OTHER, 'home-care');
    await addDwelling(pool, { facility: OTHER, id: 'd-101', address: '海淀区学院路 1 号', district: '海淀区' });
    await addUser(pool, { id: 'qian', name: '钱进', role: 'safety-officer', facility: OTHER });
    const day = 24 * 60 * MINUTE;
    await addShift(pool, {
      facility: OTHER,
      user: 'qian',
      startsAt: new Date(Date.now() - day),
      endsAt: new Date(Date.now() + day),
      lead: true,
    });
  });
  afterAll(async () => {
    await other?.close();
    await station?.close();
  });

  const orderOf = async (alertId: string) =>
    (await station.db.pool.query('SELECT id, facility_id AS facility FROM work_orders WHERE alert_id = $1', [alertId]))
      .rows[0] as { id: string; facility: string } | undefined;

  it('opens orders of its station only; another station’s process, on a session of its own, opens the rest', async () => {
    const elsewhere = dwellingAlertEvent(
      { at: clock.now(), facility: OTHER, location: 'd-101', subject: 'location:d-101' },
      9301,
    );
    const own = dwellingAlertEvent({ at: clock.now() }, 9302);
    await station.publishEvent(elsewhere);
    await station.publishEvent(own);
    // Events of one session arrive in order: once the own order is there, the other event was handled (ignored).
    expect(await waitFor('the own station’s order', () => orderOf(own.alert.id))).toMatchObject({ facility: STATION });
    expect(await orderOf(elsewhere.alert.id)).toBeUndefined();

    // Its own unaccepted order it escalates (another station's, below, it leaves alone).
    clock.advance(6 * MINUTE);
    await station.dispatch.tick();
    const escalated = async (alertId: string) =>
      (await station.db.pool.query('SELECT escalated_at FROM work_orders WHERE alert_id = $1', [alertId])).rows[0]
        ?.escalated_at as Date | null | undefined;
    expect(await escalated(own.alert.id)).toBeInstanceOf(Date);

    const account = await upsertServiceAccount(station.db.pool, 'svc-dispatch-haidian', 'dispatch');
    other = await startDispatch({
      databaseUrl: station.db.url,
      mqtt: {
        url: station.gateway.url,
        username: account.id,
        password: account.secret,
        clientId: `vigil-dispatch-${randomBytes(4).toString('hex')}`,
      },
      clock,
      station: OTHER,
      times: { tickMs: 50, acceptMs: 5 * MINUTE },
    });
    // Its session is new: the event published before it subscribed is gone; a new one is its to open.
    const later = dwellingAlertEvent(
      { at: clock.now(), facility: OTHER, location: 'd-101', subject: 'location:d-101' },
      9303,
    );
    await station.publishEvent(later);
    expect(await waitFor('the other station’s order', () => orderOf(later.alert.id))).toMatchObject({
      facility: OTHER,
    });
    clock.advance(6 * MINUTE);
    await station.dispatch.tick();
    expect(await escalated(later.alert.id)).toBeNull(); // not st-chaoyang's process
    await other.tick();
    expect(await escalated(later.alert.id)).toBeInstanceOf(Date);
  });
});
