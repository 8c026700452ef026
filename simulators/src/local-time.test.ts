import { describe, expect, it } from 'vitest';
import { isNight, localHour, timezoneWhereItIsNight } from './local-time.js';

describe('local time', () => {
  it('follows the zone, daylight saving included', () => {
    expect(localHour(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(13);
    expect(localHour(Date.parse('2026-07-15T12:30:00Z'), 'Europe/Berlin')).toBe(14.5);
    expect(localHour(Date.parse('2026-07-15T02:00:00Z'), 'America/New_York')).toBe(22);
    expect(isNight(Date.parse('2026-07-15T02:00:00Z'), 'America/New_York')).toBe(true);
    expect(isNight(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(false);
  });

  it('finds a zone where it is night, at every hour of the day', () => {
    for (let h = 0; h < 24; h++) {
      const now = Date.parse('2026-11-23T00:20:00Z') + h * 3600_000;
      const zone = timezoneWhereItIsNight(now);
      expect(isNight(now, zone), `${h}:20 UTC → ${zone}`).toBe(true);
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
    }
  });
});
