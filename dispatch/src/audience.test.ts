import { describe, expect, it } from 'vitest';
import type { Endpoint, UserPreferences } from '@vigil/store';
import { planDeliveries, type Occasion } from './audience.js';

const endpoint = (id: number, channel: Endpoint['channel']): Endpoint => ({
  id,
  facility: 'st1',
  user: 'zhang',
  contact: null,
  channel,
  target: { email: 'zhang@example.com' },
});
// 2026-12-01 23:30 in Shanghai (UTC+8).
const NIGHT = Date.parse('2026-12-01T15:30:00Z');
const occasion = (o: Partial<Occasion> = {}): Occasion => ({
  workOrder: 'wo-1',
  reason: 'offered',
  rule: 'fall',
  priority: 'high',
  at: NIGHT,
  timeZone: 'Asia/Shanghai',
  ...o,
});
const person = (preferences: UserPreferences) => ({
  users: [{ endpoints: [endpoint(1, 'email'), endpoint(2, 'push')], preferences }],
  direct: [endpoint(9, 'wecom')],
});
const statuses = (audience: ReturnType<typeof person>, o?: Partial<Occasion>) =>
  planDeliveries(audience, occasion(o)).map((d) => [d.endpoint, d.status, d.lastError ?? null]);

describe('planDeliveries', () => {
  it('sends everything on every endpoint without preferences', () => {
    expect(statuses(person({ preferences: [], quietHours: null }))).toEqual([
      [9, 'pending', null],
      [1, 'pending', null],
      [2, 'pending', null],
    ]);
  });

  it('a preference names the priorities and rules its channel carries', () => {
    const audience = person({
      preferences: [{ channel: 'email', priorities: ['critical', 'high'], rules: ['sos', 'gas'] }],
      quietHours: null,
    });
    expect(statuses(audience, { rule: 'fall' })[1]).toEqual([1, 'suppressed', 'preferences']);
    expect(statuses(audience, { rule: 'gas' })[1]).toEqual([1, 'pending', null]);
    expect(statuses(audience, { rule: 'gas', priority: 'warning' })[1]).toEqual([1, 'suppressed', 'preferences']);
    expect(statuses(audience, { rule: 'fall' })[2]).toEqual([2, 'pending', null]); // push: no preference
  });

  it('quiet hours across midnight hold back all but critical alerts, and never the station’s endpoints', () => {
    const audience = person({ preferences: [], quietHours: { starts: '22:00', ends: '07:00' } });
    expect(statuses(audience)).toEqual([
      [9, 'pending', null],
      [1, 'suppressed', 'quiet hours'],
      [2, 'suppressed', 'quiet hours'],
    ]);
    expect(statuses(audience, { priority: 'critical' }).every(([, status]) => status === 'pending')).toBe(true);
    const noon = Date.parse('2026-12-01T04:00:00Z');
    expect(statuses(audience, { at: noon }).every(([, status]) => status === 'pending')).toBe(true);
  });
});
