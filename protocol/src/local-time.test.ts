import { describe, expect, it } from 'vitest';
import { inClockWindow, localHour, minuteOfDay } from './local-time.js';

const night = { start: '22:00', end: '06:00' };
const berlin = 'Europe/Berlin';

describe('night window in the facility time zone', () => {
  it.each([
    // instant (UTC), zone, in the 22:00–06:00 window?
    ['2026-11-23T20:59:00Z', berlin, false], // 21:59 CET
    ['2026-11-23T21:00:00Z', berlin, true], // 22:00 CET: start is inclusive
    ['2026-11-23T23:30:00Z', berlin, true], // 00:30 next day: across midnight
    ['2026-11-24T04:59:00Z', berlin, true], // 05:59
    ['2026-11-24T05:00:00Z', berlin, false], // 06:00: end is exclusive
    ['2026-11-24T05:00:00Z', 'UTC', true], // 05:00 UTC
    ['2026-11-24T05:00:00Z', 'America/New_York', true], // 00:00 EST
    ['2026-11-24T11:00:00Z', 'Asia/Tokyo', false], // 20:00 JST
    ['2026-11-24T13:00:00Z', 'Asia/Tokyo', true], // 22:00 JST
    // Spring forward, last Sunday of March: 02:00 CET → 03:00 CEST.
    ['2026-03-28T04:30:00Z', berlin, true], // Saturday 05:30 CET
    ['2026-03-29T04:30:00Z', berlin, false], // Sunday 06:30 CEST: the same UTC time is now day
    ['2026-03-29T03:59:00Z', berlin, true], // 05:59 CEST
    ['2026-03-29T04:00:00Z', berlin, false], // 06:00 CEST
    // Fall back, last Sunday of October: 03:00 CEST → 02:00 CET.
    ['2026-10-24T04:30:00Z', berlin, false], // Saturday 06:30 CEST
    ['2026-10-25T04:30:00Z', berlin, true], // Sunday 05:30 CET
    ['2026-10-25T04:59:00Z', berlin, true], // 05:59 CET
    ['2026-10-25T05:00:00Z', berlin, false], // 06:00 CET
    ['2026-10-24T19:59:00Z', berlin, false], // 21:59 CEST
    ['2026-10-24T20:00:00Z', berlin, true], // 22:00 CEST
  ] as const)('%s in %s → %s', (iso, zone, expected) => {
    expect(inClockWindow(Date.parse(iso), zone, night)).toBe(expected);
  });

  it('the repeated hour of the autumn change is local time both times', () => {
    expect(minuteOfDay(Date.parse('2026-10-25T00:30:00Z'), berlin)).toBe(150); // 02:30 CEST
    expect(minuteOfDay(Date.parse('2026-10-25T01:30:00Z'), berlin)).toBe(150); // 02:30 CET
  });

  it('a window inside one day, an empty window, and a bad zone judged in UTC', () => {
    const afternoon = { start: '13:00', end: '15:00' };
    expect(inClockWindow(Date.parse('2026-11-23T13:30:00Z'), 'UTC', afternoon)).toBe(true);
    expect(inClockWindow(Date.parse('2026-11-23T15:00:00Z'), 'UTC', afternoon)).toBe(false);
    expect(inClockWindow(Date.parse('2026-11-23T12:59:00Z'), 'UTC', afternoon)).toBe(false);
    expect(inClockWindow(Date.parse('2026-11-23T12:00:00Z'), 'UTC', { start: '12:00', end: '12:00' })).toBe(false);
    expect(minuteOfDay(Date.parse('2026-11-23T23:15:00Z'), 'Not/AZone')).toBe(23 * 60 + 15);
  });

  it('gives the local hour as a fraction, daylight saving included', () => {
    expect(localHour(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(13);
    expect(localHour(Date.parse('2026-07-15T12:30:00Z'), 'Europe/Berlin')).toBe(14.5);
    expect(localHour(Date.parse('2026-07-15T02:00:45Z'), 'America/New_York')).toBe(22 + 0.75 / 60);
    expect(localHour(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(3); // 02:00 CET never happens
  });
});
