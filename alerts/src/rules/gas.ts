import type { ReadingSample } from '@vigil/protocol';
import { hazardRule, tiers, type Derived, type HazardSpec } from './hazard.js';
import { formatDuration, numberField, placeSubject } from './intent.js';
import type { RuleSettings } from './settings.js';
import type { DeviceInfo } from './types.js';

type Gas = RuleSettings['gas'];

const SPEC: HazardSpec<Gas> = {
  rule: 'gas',
  kind: 'gas',
  subject: placeSubject,
  alarm: { priority: 'critical', detail: 'gas detector alarm' },
  measures: [
    {
      field: 'lel',
      judge: tiers(
        (s) => s.lelHighAtLeast,
        (s) => s.lelCriticalAtLeast,
        (t) => `flammable gas at ${t} % LEL or more`,
      ),
    },
  ],
  clearDetail: 'gas levels back to normal',
};

/** A detector's recent CO samples, sorted by device time (parallel arrays: no object per sample). */
interface CoHistory {
  ts: number[];
  ppm: number[];
}

/** Per detector, its CO history. */
type CoHistories = Map<string, CoHistory>;

/** A sample's value holds until the next one, but not across a silence of more than two expected intervals. */
const holdMs = (device: DeviceInfo) => Math.max(2 * device.expectedIntervalS * 1000, 60_000);

/**
 * Mean CO over [end − windowMs, end], each sample holding its value until the next (sample and hold). Time without
 * a sample counts as 0 ppm, so a detector just started (or replayed after a restart) never alarms early.
 */
function average(h: CoHistory, end: number, windowMs: number, hold: number): number {
  const start = end - windowMs;
  let sum = 0;
  for (let i = h.ts.length - 1; i >= 0; i--) {
    const from = h.ts[i]!;
    const to = Math.min(h.ts[i + 1] ?? end, from + hold, end);
    const lo = Math.max(from, start);
    if (to > lo) sum += h.ppm[i]! * (to - lo);
    if (from <= start) break;
  }
  return sum / windowMs;
}

function record(h: CoHistory, ts: number, ppm: number, keepMs: number): void {
  let i = h.ts.length;
  while (i > 0 && h.ts[i - 1]! > ts) i--;
  // The same instant again is a redelivery or a correction: the later word wins.
  if (i > 0 && h.ts[i - 1] === ts) h.ppm[i - 1] = ppm;
  else {
    h.ts.splice(i, 0, ts);
    h.ppm.splice(i, 0, ppm);
  }
  // Keep the newest sample before the window too: its value holds into it.
  const start = h.ts.at(-1)! - keepMs;
  let drop = 0;
  while (drop + 1 < h.ts.length && h.ts[drop + 1]! <= start) drop++;
  if (drop > 0) {
    h.ts.splice(0, drop);
    h.ppm.splice(0, drop);
  }
}

const averaging = (atLeast: number, windowMs: number) =>
  `carbon monoxide averaging ${atLeast} ppm or more over ${formatDuration(windowMs)}`;

/**
 * Carbon monoxide, time-weighted as EN 50291-1 asks of domestic CO alarms (docs/rules.md "Sources"): at once at
 * `coImmediateAtLeast` (300 ppm); critical when the mean over `coCriticalWindowMs` (10 min) reaches
 * `coCriticalAtLeast` (100 ppm); high when the mean over `coHighWindowMs` (60 min) reaches `coHighAtLeast` (50 ppm).
 * Judged at the detector's newest sample, on the samples' own times.
 */
function carbonMonoxide(histories: CoHistories, device: DeviceInfo, sample: ReadingSample, s: Gas): Derived[] {
  const ppm = numberField(sample, 'co');
  if (ppm === undefined) return [];
  let history = histories.get(device.id);
  if (!history) histories.set(device.id, (history = { ts: [], ppm: [] }));
  const hold = holdMs(device);
  record(history, sample.ts, ppm, Math.max(s.coHighWindowMs, s.coCriticalWindowMs));
  const end = history.ts.at(-1)!;
  const newest = history.ppm.at(-1)!;
  if (newest >= s.coImmediateAtLeast) {
    return [{ source: 'co', level: 'critical', detail: `carbon monoxide at ${s.coImmediateAtLeast} ppm or more` }];
  }
  if (average(history, end, s.coCriticalWindowMs, hold) >= s.coCriticalAtLeast) {
    return [{ source: 'co', level: 'critical', detail: averaging(s.coCriticalAtLeast, s.coCriticalWindowMs) }];
  }
  const high = average(history, end, s.coHighWindowMs, hold) >= s.coHighAtLeast;
  return [{ source: 'co', level: high ? 'high' : null, detail: averaging(s.coHighAtLeast, s.coHighWindowMs) }];
}

/**
 * gas: a gas detector's `alarm` event (critical); LEL ≥ `gas.lelHighAtLeast` (10 %) high, ≥ `lelCriticalAtLeast`
 * (25 %) critical; carbon monoxide time-weighted (`carbonMonoxide`). One alert per place (`location:<id>`); raised
 * again when the level rises; cleared when every detector of the place reads safe (a high alert nobody
 * acknowledged auto-clears; a critical one waits for a person).
 */
export const gasRule = hazardRule(SPEC, (settings) => settings.gas, {
  initialState: (): CoHistories => new Map(),
  derive: carbonMonoxide,
});
