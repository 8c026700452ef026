/** Calendar days and wall-clock times in a facility's zone, for the audit's trend and its findings' texts. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(at: number, zone: string) {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return { year: +parts.year!, month: +parts.month!, day: +parts.day!, hour: +parts.hour!, minute: +parts.minute!, second: +parts.second! };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of an instant in the zone. */
export function localDate(at: Date | number, zone: string): string {
  const w = wallClock(+at, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** `HH:MM` of an instant in the zone. */
export function localTime(at: Date | number, zone: string): string {
  const w = wallClock(+at, zone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

const offsetAt = (at: number, zone: string) => {
  const w = wallClock(at, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(at / 1000) * 1000;
};

/** The instant a local date begins in the zone (twice corrected, so a DST change that day is handled). */
function startOfLocalDay(date: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - offsetAt(guess, zone);
  return guess - offsetAt(first, zone);
}

export interface LocalDay {
  day: string;
  from: number;
  to: number;
}

/** The local days overlapping [from, to), each clipped to the period. */
export function localDays(from: Date, to: Date, zone: string): LocalDay[] {
  const days: LocalDay[] = [];
  let start = +from;
  while (start < +to) {
    const day = localDate(start, zone);
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const next = startOfLocalDay(new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10), zone);
    const end = Math.min(next, +to);
    days.push({ day, from: start, to: end });
    start = end;
  }
  return days;
}
