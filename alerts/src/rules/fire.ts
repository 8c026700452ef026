import type { ReadingSample } from '@vigil/protocol';
import { atLeast, hazardRule, type Derived, type HazardSpec } from './hazard.js';
import { numberField, placeSubject } from './intent.js';
import type { RuleSettings } from './settings.js';
import type { DeviceInfo } from './types.js';

type Fire = RuleSettings['fire'];

const SPEC: HazardSpec<Fire> = {
  rule: 'fire',
  kind: 'smoke',
  subject: placeSubject,
  alarm: { priority: 'critical', detail: 'smoke detector alarm' },
  measures: [
    {
      field: 'smoke',
      judge: atLeast<Fire>(
        'critical',
        (s) => s.smokeAtLeast,
        (t) => `smoke at ${t} %/m or more`,
      ),
    },
    {
      field: 'temp',
      judge: atLeast<Fire>(
        'critical',
        (s) => s.tempAtLeast,
        (t) => `temperature at ${t} °C or more`,
      ),
    },
  ],
  clearDetail: 'smoke and temperature back to normal',
};

/** Recent temperatures per detector, sorted by device time. */
type Temps = Map<string, Array<{ ts: number; temp: number }>>;

/**
 * Rate of rise: the newest temperature against the oldest one within `fire.riseWindowMs` (60 s) of device time,
 * judged only once the samples span at least half the window (two samples a second apart say little).
 */
function rateOfRise(temps: Temps, device: DeviceInfo, sample: ReadingSample, s: Fire): Derived[] {
  const temp = numberField(sample, 'temp');
  if (temp === undefined) return [];
  let history = temps.get(device.id);
  if (!history) temps.set(device.id, (history = []));
  let i = history.length;
  while (i > 0 && history[i - 1]!.ts > sample.ts) i--;
  history.splice(i, 0, { ts: sample.ts, temp });
  const newest = history.at(-1)!;
  while (history.length > 2 && history[0]!.ts < newest.ts - s.riseWindowMs) history.shift();
  const oldest = history.find((h) => newest.ts - h.ts <= s.riseWindowMs)!;
  const span = newest.ts - oldest.ts;
  if (span < s.riseWindowMs / 2) return [];
  const perMinute = ((newest.temp - oldest.temp) * 60_000) / span;
  const rising = perMinute >= s.risePerMinAtLeast;
  return [
    {
      source: 'rise',
      level: rising ? 'critical' : null,
      detail: `temperature rising ${s.risePerMinAtLeast} °C/min or faster`,
    },
  ];
}

/**
 * fire: a smoke detector's `alarm` event, smoke ≥ `fire.smokeAtLeast` (10 %/m), temperature ≥ `tempAtLeast`
 * (57 °C) or rising ≥ `risePerMinAtLeast` (8 °C/min): critical, one alert per place (`location:<id>`).
 * A person resolves it; the rule still reports when every detector of the place is calm again.
 */
export const fireRule = hazardRule(SPEC, (settings) => settings.fire, {
  initialState: (): Temps => new Map(),
  derive: rateOfRise,
});
