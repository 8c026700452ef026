/**
 * A fixed-offset zone (`Etc/GMT±N`) in which it is about 01:00 at `now`, so a demo or drill of night-time
 * rules (bed exit at night, wandering) works at any hour of the day.
 */
export function timezoneWhereItIsNight(now: number): string {
  const utcHour = new Date(now).getUTCHours();
  // Local = UTC + offset; want local ≈ 1. Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.
  let offset = (1 - utcHour + 24) % 24;
  if (offset > 12) offset -= 24;
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
