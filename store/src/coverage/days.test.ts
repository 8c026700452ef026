import { describe, expect, it } from 'vitest';
import { localDate, localDays, localTime } from './days.js';

describe('local days', () => {
  it('splits a period at local midnights, clipped to the period', () => {
    const days = localDays(new Date('2026-11-18T20:00:00Z'), new Date('2026-11-20T02:00:00Z'), 'Asia/Shanghai');
    expect(days.map((d) => [d.day, new Date(d.from).toISOString(), new Date(d.to).toISOString()])).toEqual([
      ['2026-11-19', '2026-11-18T20:00:00.000Z', '2026-11-19T16:00:00.000Z'],
      ['2026-11-20', '2026-11-19T16:00:00.000Z', '2026-11-20T02:00:00.000Z'],
    ]);
  });

  it('has 23- and 25-hour days where the clocks change', () => {
    const spring = localDays(new Date('2026-03-28T23:00:00Z'), new Date('2026-03-30T22:00:00Z'), 'Europe/Berlin');
    expect(spring.map((d) => [d.day, (d.to - d.from) / 3600_000])).toEqual([
      ['2026-03-29', 23],
      ['2026-03-30', 24],
    ]);
    const autumn = localDays(new Date('2026-10-24T22:00:00Z'), new Date('2026-10-25T23:00:00Z'), 'Europe/Berlin');
    expect(autumn.map((d) => [d.day, (d.to - d.from) / 3600_000])).toEqual([['2026-10-25', 25]]);
  });

  it('formats instants on the wall clock of the zone', () => {
    const at = new Date('2026-11-18T18:10:00Z');
    expect([localDate(at, 'Asia/Shanghai'), localTime(at, 'Asia/Shanghai')]).toEqual(['2026-11-19', '02:10']);
    expect([localDate(at, 'America/New_York'), localTime(at, 'America/New_York')]).toEqual(['2026-11-18', '13:10']);
  });
});
