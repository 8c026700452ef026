import { describe, expect, it } from 'vitest';
import { AlertBook, UNSEEN_ACTOR } from './alert-book.js';
import { fallIntent } from './rules/test-kit.js';
import type { AlertIntent } from './rules/types.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const policy = { repeatMs: 60_000, officerMs: 180_000 };

const intent = (overrides: Partial<AlertIntent> = {}) => fallIntent(T0 - 500, overrides);

function book() {
  let n = 0;
  return new AlertBook({
    updateIntervalMs: 30_000,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });
}

describe('AlertBook lifecycle', () => {
  it('raises once per (facility, rule, subject) and deduplicates repeats into throttled updates', () => {
    const b = book();
    const raised = b.raise('f1', intent(), T0)!;
    expect(raised.type).toBe('raised');
    expect(raised.alert).toMatchObject({ status: 'open', escalationLevel: 0, drill: false, facility: 'f1' });
    expect(raised.alert.occurredAt).toBe(new Date(T0 - 500).toISOString());
    expect(b.raise('f1', intent(), T0 + 1_000)).toBeNull(); // same condition within the interval: no event
    expect(b.raise('f1', intent(), T0 + 30_000)?.type).toBe('updated');
    expect(b.raise('f1', intent({ detail: 'fall detected (confidence 0.99)' }), T0 + 31_000)?.type).toBe('updated');
    // Another facility or another subject is another alert.
    expect(b.raise('f2', intent(), T0)?.type).toBe('raised');
    expect(b.raise('f1', intent({ subject: 'resident:r2' }), T0)?.type).toBe('raised');
    expect(b.size).toBe(3);
  });

  it('acknowledges and resolves with who and when, refusing what no longer applies', () => {
    const b = book();
    const { alert } = b.raise('f1', intent(), T0)!;
    expect(b.acknowledge(alert.id, 'f2', 'u1', T0)).toEqual({ ok: false, code: 'VIGIL_ERR_ALERTS_NOT_FOUND' });
    const ack = b.acknowledge(alert.id, 'f1', 'user:anna', T0 + 5_000);
    expect(ack.ok && ack.transition.alert).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'user:anna',
      acknowledgedAt: new Date(T0 + 5_000).toISOString(),
    });
    expect(b.acknowledge(alert.id, 'f1', 'u2', T0)).toEqual({
      ok: false,
      code: 'VIGIL_ERR_ALERTS_ALREADY_ACKNOWLEDGED',
    });
    expect(b.presence(alert.id, 'f1', 'user:anna', T0 + 8_000).ok).toBe(true);
    const resolved = b.resolve(alert.id, 'f1', 'user:anna', { outcome: 'assisted', note: 'helped up' }, T0 + 9_000);
    expect(resolved.ok && resolved.transition.alert).toMatchObject({
      status: 'resolved',
      outcome: 'assisted',
      note: 'helped up',
      resolvedBy: 'user:anna',
    });
    expect(b.resolve(alert.id, 'f1', 'u', { outcome: 'other' }, T0)).toEqual({
      ok: false,
      code: 'VIGIL_ERR_ALERTS_ALREADY_RESOLVED',
    });
    // A resolved alert no longer deduplicates: the same condition later is a new alert.
    expect(b.raise('f1', intent(), T0 + 60_000)?.alert.id).not.toBe(alert.id);
  });

  it('auto-clears only non-critical alerts nobody acknowledged', () => {
    const b = book();
    const gas = intent({ rule: 'gas', subject: 'location:k1', priority: 'high' });
    b.raise('f1', gas, T0);
    expect(b.clear('f1', { ...gas, action: 'clear' }, T0 + 1)).toMatchObject({
      type: 'auto_cleared',
      alert: { status: 'resolved', outcome: 'auto_cleared' },
    });
    const acked = b.raise('f1', gas, T0 + 2)!.alert;
    b.acknowledge(acked.id, 'f1', 'u', T0 + 3);
    expect(b.clear('f1', { ...gas, action: 'clear' }, T0 + 4)).toBeNull();
    b.raise('f1', intent(), T0);
    expect(b.clear('f1', intent({ action: 'clear' }), T0 + 5)).toBeNull();
    expect(b.size).toBe(2);
  });

  it('updates priority and detail without ever opening an alert', () => {
    const b = book();
    const sos = intent({ rule: 'sos', priority: 'high', detail: 'SOS cancelled', action: 'update' });
    expect(b.update('f1', sos, T0)).toBeNull();
    b.raise('f1', intent({ rule: 'sos' }), T0);
    expect(b.update('f1', sos, T0 + 1)?.alert).toMatchObject({ priority: 'high', detail: 'SOS cancelled' });
    expect(b.update('f1', sos, T0 + 2)).toBeNull();
  });

  it('keeps drills apart from real alerts of the same rule', () => {
    const b = book();
    b.raise('f1', intent(), T0);
    const drill = b.drill('f1', { rule: 'fall', resident: 'r1' }, '42', 'user:officer', T0);
    expect(drill).toMatchObject({ type: 'raised', actor: 'user:officer', alert: { drill: true, subject: 'drill:42' } });
    expect(b.size).toBe(2);
  });
});

describe('AlertBook escalation (wall clock)', () => {
  it('escalates an unacknowledged critical alert at 60 s, repeats every 60 s and reaches the officer at 180 s', () => {
    const b = book();
    b.raise('f1', intent(), T0);
    b.raise('f1', intent({ rule: 'gas', subject: 'location:k', priority: 'high' }), T0);
    expect(b.escalate(T0 + 59_999, policy)).toEqual([]);
    const levels: number[] = [];
    for (let t = T0; t <= T0 + 250_000; t += 1_000) {
      for (const e of b.escalate(t, policy)) levels.push((t - T0) / 1000, e.alert.escalationLevel);
    }
    expect(levels).toEqual([60, 1, 120, 1, 180, 2, 240, 2]);
  });

  it('reminds about high and warning alerts at their own pace, each to the officer in its time', () => {
    const b = book();
    const every = {
      ...policy,
      high: { repeatMs: 600_000, officerMs: 1_800_000 },
      warning: { repeatMs: 1_800_000, officerMs: 7_200_000 },
    };
    b.raise('f1', intent({ rule: 'vitals', subject: 'resident:r1:hr', priority: 'high' }), T0);
    b.raise('f1', intent({ rule: 'low_battery', subject: 'device:wb-1', priority: 'warning' }), T0);
    b.raise('f1', intent({ rule: 'sos', priority: 'info' }), T0);
    const seen: string[] = [];
    for (let t = T0; t <= T0 + 7_200_000; t += 60_000) {
      for (const e of b.escalate(t, every))
        seen.push(`${(t - T0) / 60_000} ${e.alert.priority} ${e.alert.escalationLevel}`);
    }
    // High every 10 min, at level 2 from 30 min on; warning every 30 min, level 2 at 2 h; info never.
    const high = Array.from({ length: 12 }, (_, i) => `${(i + 1) * 10} high ${i < 2 ? 1 : 2}`);
    expect(seen.filter((s) => s.includes('high'))).toEqual(high);
    expect(seen.filter((s) => s.includes('warning'))).toEqual([
      '30 warning 1',
      '60 warning 1',
      '90 warning 1',
      '120 warning 2',
    ]);
    // The critical-only policy of before (no high or warning step) escalates neither.
    expect(book().escalate(T0 + 7_200_000, policy)).toEqual([]);
  });

  it('a critical alert lowered to high goes on at the high pace, its level never falling', () => {
    const b = book();
    const every = { ...policy, high: { repeatMs: 600_000, officerMs: 1_800_000 } };
    b.raise('f1', intent(), T0);
    expect(b.escalate(T0 + 180_000, every)[0]?.alert.escalationLevel).toBe(2);
    b.update('f1', intent({ action: 'update', priority: 'high', detail: 'lowered' }), T0 + 200_000);
    expect(b.escalate(T0 + 779_000, every)).toEqual([]);
    expect(b.escalate(T0 + 780_000, every)[0]?.alert).toMatchObject({ priority: 'high', escalationLevel: 2 });
  });

  it('stops escalating once acknowledged and resumes timers from restored state', () => {
    const b = book();
    const { alert } = b.raise('f1', intent(), T0)!;
    expect(b.escalate(T0 + 60_000, policy)).toHaveLength(1);
    b.acknowledge(alert.id, 'f1', 'u', T0 + 61_000);
    expect(b.escalate(T0 + 500_000, policy)).toEqual([]);

    // After a restart, the last escalation time from the database decides the next one.
    const restored = book();
    restored.restore({
      alert: { ...alert, escalationLevel: 1 },
      lastEventAt: T0 + 60_000,
      lastEscalatedAt: T0 + 60_000,
    });
    expect(restored.escalate(T0 + 119_000, policy)).toEqual([]);
    expect(restored.escalate(T0 + 120_000, policy)[0]?.alert.escalationLevel).toBe(1);
    expect(restored.raise('f1', intent(), T0 + 121_000)).toBeNull(); // no re-raise after restart
  });
});

const fall = intent();
const offline = intent({ rule: 'device_offline', subject: 'device:bt-1', priority: 'warning', resident: null });

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
    const elsewhere = b.raise(
      'f1',
      { ...fall, rule: 'fire', subject: 'location:k', resident: null, location: 'k' },
      T0,
    )!.alert;
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
      expect.objectContaining({
        type: 'escalated',
        actor: UNSEEN_ACTOR,
        alert: expect.objectContaining({ id: old.id, escalationLevel: 2 }),
      }),
    ]);
    expect(b.escalateUnseen([old.id], T0 + 11_000)).toEqual([]);
    // A shown alert is settled and never offered again.
    b.settleUnseen([young.id]);
    expect(b.unseenCandidates(T0 + 20_000, 10_000, 3_600_000)).toEqual([]);
  });
});
