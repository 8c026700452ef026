import { describe, expect, it } from 'vitest';
import { AlertBook, UNSEEN_ACTOR } from './alert-book.js';
import type { AlertIntent } from './rules/types.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');

const fall: AlertIntent = {
  action: 'raise',
  rule: 'fall',
  subject: 'resident:r1',
  priority: 'critical',
  detail: 'fall detected',
  resident: 'r1',
  device: 'wb-1',
  location: 'room-1',
  occurredAt: T0,
};
const offline: AlertIntent = {
  ...fall,
  rule: 'device_offline',
  subject: 'device:bt-1',
  priority: 'warning',
  resident: null,
  location: 'room-1',
};

function book() {
  let n = 0;
  return new AlertBook({
    updateIntervalMs: 30_000,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });
}

describe('AlertBook presence at the resident (DIN VDE 0834)', () => {
  it('acknowledge is not clear: a call resolves only after presence, which is recorded once', () => {
    const b = book();
    const { alert } = b.raise('f1', fall, T0)!;
    b.acknowledge(alert.id, 'f1', 'user:anna', T0 + 5_000);
    expect(b.resolve(alert.id, 'f1', 'user:anna', { outcome: 'assisted' }, T0 + 6_000)).toEqual({
      ok: false,
      code: 'VIGIL_ERR_ALERTS_PRESENCE_REQUIRED',
    });
    const present = b.presence(alert.id, 'f1', 'user:ben', T0 + 60_000);
    expect(present.ok && present.transition).toMatchObject({
      type: 'presence',
      actor: 'user:ben',
      alert: {
        status: 'acknowledged',
        acknowledgedBy: 'user:anna',
        acknowledgedAt: new Date(T0 + 5_000).toISOString(),
        presentBy: 'user:ben',
        presentAt: new Date(T0 + 60_000).toISOString(),
      },
    });
    expect(b.presence(alert.id, 'f1', 'user:anna', T0 + 61_000)).toEqual({
      ok: false,
      code: 'VIGIL_ERR_ALERTS_ALREADY_PRESENT',
    });
    expect(b.presence(alert.id, 'f2', 'user:anna', T0 + 61_000).ok).toBe(false);
    const resolved = b.resolve(alert.id, 'f1', 'user:ben', { outcome: 'assisted' }, T0 + 90_000);
    expect(resolved.ok && resolved.transition.alert).toMatchObject({ status: 'resolved', presentBy: 'user:ben' });
  });

  it('presence implies the acknowledgement nobody gave yet', () => {
    const b = book();
    const { alert } = b.raise('f1', fall, T0)!;
    const present = b.presence(alert.id, 'f1', 'user:anna', T0 + 30_000);
    expect(present.ok && present.transition.alert).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'user:anna',
      acknowledgedAt: new Date(T0 + 30_000).toISOString(),
      presentAt: new Date(T0 + 30_000).toISOString(),
    });
    // Acknowledged by presence: no more escalation, and no second acknowledgement.
    expect(b.escalate(T0 + 600_000, { repeatMs: 60_000, officerMs: 180_000 })).toEqual([]);
    expect(b.acknowledge(alert.id, 'f1', 'user:ben', T0 + 31_000).ok).toBe(false);
  });

  it('device maintenance and calls about no place never need presence', () => {
    const b = book();
    const battery = b.raise('f1', offline, T0)!.alert;
    expect(b.resolve(battery.id, 'f1', 'user:anna', { outcome: 'device_fault' }, T0 + 1).ok).toBe(true);
    const drill = b.drill('f1', {}, '7', 'user:officer', T0).alert;
    expect(b.resolve(drill.id, 'f1', 'user:anna', { outcome: 'other' }, T0 + 1).ok).toBe(true);
  });

  it("the room's call button marks presence on every unresolved call it concerns, and only on calls", () => {
    const b = book();
    const own = b.raise('f1', fall, T0)!.alert;
    const acked = b.raise('f1', { ...fall, rule: 'sos' }, T0)!.alert;
    b.acknowledge(acked.id, 'f1', 'user:anna', T0 + 1_000);
    const elsewhere = b.raise('f1', { ...fall, rule: 'fire', subject: 'location:k', resident: null, location: 'k' }, T0)!
      .alert;
    const device = b.raise('f1', offline, T0)!.alert;
    const other = b.raise('f2', fall, T0)!.alert;
    const concerns = (a: { location: string | null }) => a.location === 'room-1';
    const marked = b.presenceAt('f1', concerns, 'device:bt-1', T0 + 20_000);
    expect(marked.map((t) => [t.alert.id, t.alert.acknowledgedBy, t.alert.presentBy])).toEqual([
      [own.id, 'device:bt-1', 'device:bt-1'],
      [acked.id, 'user:anna', 'device:bt-1'],
    ]);
    expect(marked.every((t) => t.type === 'presence' && t.at === T0 + 20_000)).toBe(true);
    // Pressed again: nothing new.
    expect(b.presenceAt('f1', concerns, 'device:bt-1', T0 + 25_000)).toEqual([]);
    const untouched = b.unresolved().filter((a) => [elsewhere.id, device.id, other.id].includes(a.id));
    expect(untouched.map((a) => a.presentAt)).toEqual([null, null, null]);
  });
});

describe('AlertBook: alerts no display showed in time (receipts)', () => {
  it('offers open, non-info alerts old enough once, and escalates them once to the officer', () => {
    const b = book();
    const old = b.raise('f1', fall, T0)!.alert;
    const young = b.raise('f1', { ...fall, subject: 'resident:r2', resident: 'r2' }, T0 + 8_000)!.alert;
    const acked = b.raise('f1', { ...fall, rule: 'sos' }, T0)!.alert;
    b.acknowledge(acked.id, 'f1', 'user:anna', T0 + 1_000);
    b.raise('f1', { ...fall, rule: 'inactivity', priority: 'info' }, T0);
    expect(b.unseenCandidates(T0 + 10_000, 10_000, 3_600_000)).toEqual([{ id: old.id, raisedAt: old.raisedAt }]);
    const escalated = b.escalateUnseen([old.id, acked.id], T0 + 10_500);
    expect(escalated).toEqual([
      expect.objectContaining({ type: 'escalated', actor: UNSEEN_ACTOR, alert: expect.objectContaining({ id: old.id, escalationLevel: 2 }) }),
    ]);
    expect(b.escalateUnseen([old.id], T0 + 11_000)).toEqual([]);
    // A shown alert is settled and never offered again.
    b.settleUnseen([young.id]);
    expect(b.unseenCandidates(T0 + 20_000, 10_000, 3_600_000)).toEqual([]);
  });
});
