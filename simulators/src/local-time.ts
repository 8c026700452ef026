/**
 * Local time of day in a facility's time zone. Behaviour (sleep at night, kitchen busy at meal times) and
 * the alert rules' night windows both follow the facility's local clock, so the simulator must too.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, { until: number; offsetMs: number }>();
// UTC offsets change only at DST transitions; recomputing every 15 minutes keeps Intl off the hot path.
const OFFSET_CACHE_MS = 15 * 60 * 1000;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at `ts`, in milliseconds (positive east of Greenwich). */
export function utcOffsetMs(ts: number, timeZone: string): number {
  const cached = offsets.get(timeZone);
  if (cached && ts < cached.until && ts > cached.until - 2 * OFFSET_CACHE_MS) return cached.offsetMs;
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ts))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMs = Math.round((wall - Math.floor(ts / 1000) * 1000) / 60000) * 60000;
  offsets.set(timeZone, { until: ts + OFFSET_CACHE_MS, offsetMs });
  return offsetMs;
}

/** Local hour of day as a fraction, 0 ≤ h < 24 (e.g. 22.5 = 22:30). */
export function localHour(ts: number, timeZone: string): number {
  const local = (((ts + utcOffsetMs(ts, timeZone)) % DAY_MS) + DAY_MS) % DAY_MS;
  return local / HOUR_MS;
}

/** True between 22:00 and 06:00 local time, the rules' default night window (DESIGN.md "Rules"). */
export function isNight(ts: number, timeZone: string): boolean {
  const h = localHour(ts, timeZone);
  return h >= 22 || h < 6;
}

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
