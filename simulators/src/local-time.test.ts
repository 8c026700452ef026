import { describe, expect, it } from 'vitest';
import { DEFAULT_NIGHT_WINDOW, inClockWindow } from '@vigil/protocol';
import { timezoneWhereItIsNight } from './local-time.js';

describe('timezoneWhereItIsNight', () => {
  it('finds a zone where it is night, at every hour of the day', () => {
    for (let h = 0; h < 24; h++) {
      const now = Date.parse('2026-11-23T00:20:00Z') + h * 3600_000;
      const zone = timezoneWhereItIsNight(now);
      expect(inClockWindow(now, zone, DEFAULT_NIGHT_WINDOW), `${h}:20 UTC → ${zone}`).toBe(true);
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
    }
  });
});
