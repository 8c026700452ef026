/**
 * Wall-clock time of day in a facility's IANA time zone, through Intl (the zone database of the runtime), so
 * daylight-saving changes and midnight are handled by the zone rules rather than by offsets we compute.
 * The alert rules' night windows and the simulators' daily routines both follow it.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    try {
      found = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      // An unknown zone must not silence the night rules: judge in UTC rather than not at all.
      found = formatter('UTC');
    }
    formatters.set(timeZone, found);
  }
  return found;
}

/** Minutes since local midnight (0–1439) of the instant `ts` (epoch ms) in `timeZone`. */
export function minuteOfDay(ts: number, timeZone: string): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timeZone).formatToParts(ts)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** Local hour of day as a fraction, 0 ≤ h < 24 (22.5 = 22:30), to the second. */
export function localHour(ts: number, timeZone: string): number {
  const secondOfMinute = (((ts % 60_000) + 60_000) % 60_000) / 1000; // every zone in use has whole-minute offsets
  return (minuteOfDay(ts, timeZone) + secondOfMinute / 60) / 60;
}

/** `"22:00"` → 1320. */
export function parseClockTime(value: string): number {
  const [hours, minutes] = value.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

export interface ClockWindow {
  /** Local `HH:MM`, inclusive. */
  start: string;
  /** Local `HH:MM`, exclusive; before `start` means the window crosses midnight. */
  end: string;
}

/** The rules' default night (docs/rules.md "Time"); a facility may set its own. */
export const DEFAULT_NIGHT_WINDOW: ClockWindow = { start: '22:00', end: '06:00' };

/** Whether the instant `ts` lies in the daily window [start, end) of local time; start = end is an empty window. */
export function inClockWindow(ts: number, timeZone: string, window: ClockWindow): boolean {
  const minute = minuteOfDay(ts, timeZone);
  const start = parseClockTime(window.start);
  const end = parseClockTime(window.end);
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}
