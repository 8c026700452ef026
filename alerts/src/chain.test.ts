import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '@vigil/protocol';
import { canonicalJson, ChainVerifier, hashEvent, type ChainRow } from './chain.js';

const alert: AlertEvent['alert'] = {
  id: '00000000-0000-4000-8000-000000000001',
  facility: 'f1',
  rule: 'fall',
  priority: 'critical',
  status: 'open',
  subject: 'resident:r1',
  resident: 'r1',
  device: 'wb-1',
  location: null,
  detail: 'fall detected',
  drill: false,
  escalationLevel: 0,
  raisedAt: '2026-11-23T02:00:00.000Z',
  occurredAt: '2026-11-23T02:00:00.000Z',
  lastSeenAt: '2026-11-23T02:00:00.000Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  presentAt: null,
  presentBy: null,
  resolvedAt: null,
  resolvedBy: null,
  outcome: null,
  note: null,
};

function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev: Buffer | null = null;
  for (let id = 1; id <= n; id += 1) {
    const at = new Date(Date.parse(alert.raisedAt) + id * 1000);
    const event: AlertEvent = {
      eventId: id,
      event: id === 1 ? 'raised' : 'escalated',
      at: at.toISOString(),
      actor: null,
      alert,
    };
    const hash = hashEvent(prev, event);
    rows.push({ id, facility: 'f1', type: event.event, at, actor: null, data: { ...alert }, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

function firstBreak(rows: ChainRow[]) {
  const verifier = new ChainVerifier('f1');
  for (const row of rows) {
    const broken = verifier.check(row);
    if (broken) return broken;
  }
  return null;
}

describe('hash chain', () => {
  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: null }], c: 'é' } })).toBe(
      canonicalJson({ a: { c: 'é', d: [1, { x: null, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('accepts an intact chain and names the first changed, removed or inserted event', () => {
    expect(firstBreak(chain(5))).toBeNull();

    const edited = chain(5);
    edited[2]!.data = { ...alert, detail: 'nothing happened' };
    expect(firstBreak(edited)).toMatchObject({ eventId: 3, reason: expect.stringMatching(/changed/) });

    const removed = chain(5);
    removed.splice(1, 1);
    expect(firstBreak(removed)).toMatchObject({ eventId: 3, reason: expect.stringMatching(/removed or inserted/) });

    const headless = chain(5).slice(1);
    expect(firstBreak(headless)).toMatchObject({ eventId: 2, reason: expect.stringMatching(/first event/) });

    const actor = chain(5);
    actor[4]!.actor = 'user:mallory';
    expect(firstBreak(actor)).toMatchObject({ eventId: 5 });
  });
});
