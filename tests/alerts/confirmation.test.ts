import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLocation, addResident } from '@vigil/store';
import type { AlertEvent } from '@vigil/protocol';
import { berlinTime, manualClock, startServiceFixture, type ServiceFixture } from './harness.js';

/**
 * docs/rules.md "Multi-sensor confirmation" and docs/alerts.md "Escalation" through the real service: a fall the bed
 * mat and the room's motion sensor confirm says so; one followed by movement and the resident back in bed is lowered
 * to high, still open, and reminded about at the high pace; the exit door soon after a bed exit names who left. Device time comes from the messages; the escalation
 * runs on a clock the test moves.
 */
describe('a fall and the other sensors of the resident and the room', () => {
  let fixture: ServiceFixture;
  const clock = manualClock();

  /** The wristband, bed mat and room motion sensor of a resident in a room of their own. */
  async function residentWithSensors(resident: string, room: string, wanderRisk = false) {
    const { db } = fixture;
    await addLocation(db.pool, { facility: 'f1', id: room, kind: 'room' });
    await addResident(db.pool, {
      facility: 'f1',
      id: resident,
      careLevel: 'semi-dependent',
      location: room,
      wanderRisk,
    });
    const connect = (kind: 'wristband' | 'bedmat' | 'pir') =>
      fixture.connect({
        facility: 'f1',
        id: `${kind}-${resident}`,
        kind,
        ...(kind === 'pir' ? { location: room } : { resident }),
        expectedIntervalS: 3600,
      });
    const [band, mat, pir] = await Promise.all([connect('wristband'), connect('bedmat'), connect('pir')]);
    return { band, mat, pir };
  }

  beforeAll(async () => {
    const nightNow = { start: berlinTime(-60), end: berlinTime(60) };
    fixture = await startServiceFixture({ f1: { fall: { confirmMs: 2_000 }, night: nightNow } }, { clock });
  });
  afterAll(() => fixture?.close());

  const next = (what: string, match: (e: AlertEvent) => boolean) => fixture.listener.next(what, match);
  const escalations = (id: string) =>
    fixture.listener.events.filter((e) => e.event === 'escalated' && e.alert.id === id);
  /** The same alert, still open (a person resolves a fall), with a new priority and reason. */
  const stillOpen = (raised: AlertEvent, priority: string, detail: string) => ({
    id: raised.alert.id,
    status: 'open',
    priority,
    detail,
  });
  const fallOf = (resident: string, type: AlertEvent['event']) => (e: AlertEvent) =>
    e.event === type && e.alert.rule === 'fall' && e.alert.resident === resident;

  it('a fall with the bed empty and no motion since is confirmed, with the reason', async () => {
    const { band, mat, pir } = await residentWithSensors('ra', 'room-a');
    const fallAt = Date.now() - 5_000;
    await mat.publish('reading', { ts: fallAt - 60_000, occupied: false });
    await pir.publish('reading', { ts: fallAt - 1_000, motion: 0 });
    await band.publish('event', { ts: fallAt, type: 'fall', confidence: 0.9 });
    const raised = await next('fall raised', fallOf('ra', 'raised'));
    expect(raised.alert).toMatchObject({ priority: 'critical', detail: 'fall detected (confidence 0.90)' });
    await pir.publish('reading', { ts: fallAt + 2_500, motion: 0 });
    const confirmed = await next('fall confirmed', fallOf('ra', 'updated'));
    expect(confirmed.alert).toMatchObject(
      stillOpen(raised, 'critical', 'fall detected (confidence 0.90) + bed empty + no motion 2 s'),
    );
  });

  it('a fall followed by movement and the resident back in bed is lowered to high and reminded about at that pace', async () => {
    const { band, mat, pir } = await residentWithSensors('rb', 'room-b');
    const fallAt = Date.now() - 10_000;
    await mat.publish('reading', { ts: fallAt - 60_000, occupied: false });
    await pir.publish('reading', { ts: fallAt - 60_000, motion: 0 });
    await band.publish('event', { ts: fallAt, type: 'fall' });
    const raised = await next('fall raised', fallOf('rb', 'raised'));
    await pir.publish('reading', { ts: fallAt + 3_000, motion: 4 });
    await mat.publish('reading', { ts: fallAt + 6_000, occupied: true });
    const lowered = await next('fall lowered', fallOf('rb', 'updated'));
    expect(lowered.alert).toMatchObject(stillOpen(raised, 'high', 'fall detected, then movement and back in bed'));
    // High now: no escalation at the critical pace, a reminder at 10 min (docs/alerts.md "Escalation"). The first
    // test's fall, still critical, escalating shows the ticks have run on the moved clock.
    clock.advance(5 * 60_000);
    await next('the critical fall escalated', (e) => e.event === 'escalated' && e.alert.resident === 'ra');
    expect(escalations(raised.alert.id)).toEqual([]);
    clock.advance(5 * 60_000);
    const reminded = await next('reminder', (e) => e.event === 'escalated' && e.alert.id === raised.alert.id);
    // Level 1 and the first: escalated at the critical pace, it would have reached the officer (level 2) by 5 min.
    expect(reminded.alert).toMatchObject({ priority: 'high', escalationLevel: 1 });
    expect(escalations(raised.alert.id)).toHaveLength(1);
  });

  it('the exit door at night soon after a wander-risk resident left the bed is critical and names the resident', async () => {
    const { mat } = await residentWithSensors('rw', 'room-w', true);
    const door = await fixture.connect({ facility: 'f1', id: 'door-exit', kind: 'door', location: 'exit-1' });
    const now = Date.now();
    await mat.publish('reading', { ts: now - 120_000, occupied: true });
    await mat.publish('event', { ts: now - 90_000, type: 'bed_exit' });
    await door.publish('event', { ts: now, type: 'open' });
    const raised = await next('exit door', (e) => e.event === 'raised' && e.alert.rule === 'wandering');
    expect(raised.alert).toMatchObject({
      priority: 'critical',
      subject: 'location:exit-1',
      resident: 'rw',
      detail: 'bed exit + exit door at night within 10 min',
    });
  });
});
