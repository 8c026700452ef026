import type { ReadingSample } from '@vigil/protocol';
import { numberField, personSubject, refsOf, takenMoving, type Refs } from './intent.js';
import {
  NEWS2_BANDS,
  NEWS2_HIGH_RISK_AT,
  NEWS2_MEDIUM_RISK_AT,
  NEWS2_SINGLE_PARAMETER_RED,
  news2Score,
} from './news2.js';
import { continuousSpec } from './runs.js';
import type { RuleSettings } from './settings.js';
import { judgeSustained, sustainedState, type Sustained, type SustainedState } from './sustained.js';
import type { Rule } from './types.js';

type Deterioration = RuleSettings['deterioration'];

/** The parameters, in the order of the NEWS2 chart; `continuous` ones are smoothed over about a minute. */
const PARAMETERS = [
  { field: 'rr', label: 'RR', continuous: true },
  { field: 'spo2', label: 'SpO2', continuous: true },
  { field: 'sbp', label: 'SBP', continuous: false },
  { field: 'hr', label: 'HR', continuous: true },
] as const;
const SPO2 = 1;

/**
 * NEWS2 observations are counted over a minute (respiration rate, pulse): continuous device values are smoothed in
 * device time with a 20 s time constant (95 % of a step within a minute), so one noisy sample does not move the score.
 */
const SMOOTHING_MS = 20_000;

/** A person's latest observations (across their devices) and the score they make, updated in place. */
class Person {
  readonly values = new Float64Array(PARAMETERS.length);
  readonly at = new Float64Array(PARAMETERS.length).fill(-Infinity);
  readonly parts = new Int8Array(PARAMETERS.length);
  readonly fresh = [false, false, false, false];
  total = 0;
  highest = 0;
  scale2 = false;
  settings!: Deterioration;

  constructor(
    readonly subject: string,
    readonly resident: string | null,
  ) {}
}

/** `NEWS2 6 (partial): RR 2, SpO2 1, SBP 2, HR 1` — scores only, never the measured values. */
function describe(p: Person): string {
  const parts: string[] = [];
  PARAMETERS.forEach(({ label }, i) => {
    if (p.fresh[i]) parts.push(`${i === SPO2 && p.scale2 ? `${label} (scale 2)` : label} ${p.parts[i]}`);
  });
  return `NEWS2 ${p.total} (partial): ${parts.join(', ')}`;
}

const spec = (s: Person, device: { expectedIntervalS: number }) =>
  continuousSpec(s.settings.sustainMs, s.settings.freshMs, device.expectedIntervalS);

const CONDITIONS: Sustained<Person>[] = [
  {
    key: 'news2High',
    priority: 'critical',
    hit: (_, p) => p.total >= NEWS2_HIGH_RISK_AT,
    spec,
    detail: describe,
  },
  {
    key: 'news2Medium',
    priority: 'high',
    hit: (_, p) => p.total >= NEWS2_MEDIUM_RISK_AT || p.highest >= NEWS2_SINGLE_PARAMETER_RED,
    spec,
    detail: describe,
  },
];

export interface DeteriorationState extends SustainedState {
  /** Per device, the person it measures (a resident's wristband and bed mat share one). */
  byDevice: Map<string, Person>;
  bySubject: Map<string, Person>;
}

function personOf(state: DeteriorationState, refs: Refs): Person {
  let person = state.byDevice.get(refs.device);
  if (person?.resident !== refs.resident) {
    const subject = personSubject(refs);
    person = state.bySubject.get(subject) ?? new Person(subject, refs.resident);
    state.bySubject.set(subject, person);
    state.byDevice.set(refs.device, person);
  }
  return person;
}

/** Takes the sample's parameters that are newer than the person's; false if it brings nothing new. */
function observe(p: Person, sample: ReadingSample, s: RuleSettings): boolean {
  let changed = false;
  // Plain loops: this runs for every wristband and bed-mat sample.
  for (let i = 0; i < PARAMETERS.length; i++) {
    const { field, continuous } = PARAMETERS[i]!;
    const value = numberField(sample, field);
    if (value === undefined || sample.ts < p.at[i]!) continue;
    // Optical SpO2 taken while moving is often falsely low: it does not count (docs/rules.md "Sources").
    if (i === SPO2 && takenMoving(sample, s.vitals.motionAtLeast)) continue;
    const since = sample.ts - p.at[i]!;
    const smooth = continuous && since <= s.deterioration.freshMs;
    p.values[i] = smooth ? p.values[i]! + (value - p.values[i]!) * (1 - Math.exp(-since / SMOOTHING_MS)) : value;
    p.at[i] = sample.ts;
    changed = true;
  }
  return changed;
}

function score(p: Person, now: number, s: Deterioration): void {
  p.scale2 = s.spo2Scale === 2;
  p.total = 0;
  p.highest = 0;
  for (let i = 0; i < PARAMETERS.length; i++) {
    const { field } = PARAMETERS[i]!;
    p.fresh[i] = now - p.at[i]! <= (field === 'sbp' ? s.bpFreshMs : s.freshMs);
    if (!p.fresh[i]) continue;
    const bands = field === 'spo2' ? (p.scale2 ? NEWS2_BANDS.spo2Scale2 : NEWS2_BANDS.spo2Scale1) : NEWS2_BANDS[field];
    const part = news2Score(bands, p.values[i]!);
    p.parts[i] = part;
    p.total += part;
    p.highest = Math.max(p.highest, part);
  }
}

const JUDGEMENT = {
  rule: 'deterioration' as const,
  conditions: CONDITIONS,
  clearDetail: 'NEWS2 below 5, no parameter at 3',
};

/**
 * deterioration: a partial NEWS2 score per resident from the latest respiration rate, SpO2, systolic blood pressure
 * and pulse of all their devices (each fresh within `deterioration.freshMs`, blood pressure `bpFreshMs`), in device
 * time. Medium risk (aggregate 5–6, or one parameter scoring 3) held for `sustainMs` (5 min): high; high risk
 * (7 or more): critical. The detail gives the score and its parts, never the values. Cleared when the score is low.
 */
export const deteriorationRule: Rule<DeteriorationState, RuleSettings> = {
  name: 'deterioration',
  initialState: () => ({ ...sustainedState(), byDevice: new Map(), bySubject: new Map() }),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.deterioration;
    const { device } = ctx;
    if (!settings.enabled || input.type !== 'reading') return [];
    if (device.kind !== 'wristband' && device.kind !== 'bedmat') return [];
    const { sample } = input;
    if (sample.worn === false || sample.occupied === false) return [];
    const refs = refsOf(ctx);
    const person = personOf(state, refs);
    if (!observe(person, sample, ctx.settings)) return [];
    person.settings = settings;
    score(person, sample.ts, settings);
    // One run per person: the score is the person's, whichever device's sample moved it.
    const judgement = {
      ...JUDGEMENT,
      source: person.subject,
      subject: person.subject,
      sample,
      refs,
      device,
      settings: person,
      staleMs: settings.freshMs,
    };
    return judgeSustained(judgement, state);
  },
};
