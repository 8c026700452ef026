import type { AlertPriority, ReadingSample } from '@vigil/protocol';
import { intent, numberField, personSubject, refsOf, takenMoving, type Refs } from './intent.js';
import {
  NEWS2_BANDS,
  NEWS2_HIGH_RISK_AT,
  NEWS2_MEDIUM_RISK_AT,
  NEWS2_SINGLE_PARAMETER_RED,
  news2Score,
} from './news2.js';
import { SubjectLevels, type SourceLevel } from './levels.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, Rule, RuleContext } from './types.js';

type Deterioration = RuleSettings['deterioration'];

/** The parameters, in the order of the NEWS2 chart; `continuous` ones are smoothed over about a minute. */
const PARAMETERS = [
  { field: 'rr', label: 'RR', continuous: true },
  { field: 'spo2', label: 'SpO2', continuous: true },
  { field: 'sbp', label: 'SBP', continuous: false },
  { field: 'hr', label: 'HR', continuous: true },
] as const;
const SPO2 = 1;
/** One source per person in the subject's levels: the score is the person's, whichever device moved it. */
const SOURCE = 'news2';
const CLEARED = 'NEWS2 below 5, no parameter at 3';

/**
 * NEWS2 observations are counted over a minute (respiration rate, pulse): continuous device values are smoothed in
 * device time with a 20 s time constant (95 % of a step within a minute), so one noisy sample does not move the score.
 */
const SMOOTHING_MS = 20_000;

/** A sample waiting for the person's other devices to report up to its time. */
interface Pending {
  sample: ReadingSample;
  refs: Refs;
  settings: Deterioration;
}

/** One of the person's devices, as the order of judgement sees it. */
interface Feed {
  /** Device time of its newest reading: nothing older is still to come from it. */
  newest: number;
  /** Whether samples of the person's other devices wait for it (false after its Last Will, or a long wait). */
  waited: boolean;
  /** Wall clock since when a sample of another device has been waiting for it (null: none waits). */
  waitingSince: number | null;
  /** How long a sample waits for it: `deviceOffline.silenceFactor` × its expected interval. */
  allowanceMs: number;
}

/** A person's latest observations (across their devices) and the score they make, updated in place. */
class Person {
  readonly feeds = new Map<string, Feed>();
  /** Samples not judged yet, in device-time order. */
  readonly pending: Pending[] = [];
  readonly values = new Float64Array(PARAMETERS.length);
  readonly at = new Float64Array(PARAMETERS.length).fill(-Infinity);
  readonly parts = new Int8Array(PARAMETERS.length);
  readonly fresh = [false, false, false, false];
  total = 0;
  highest = 0;
  scale2 = false;
  /** Device time of the newest judged sample, and since when the score has been in the high and critical bands. */
  judgedAt = -Infinity;
  highSince = NaN;
  criticalSince = NaN;

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

/** The NEWS2 risk band of a score: 7 or more → critical; 5–6, or one parameter scoring 3 → high. */
function band(p: Person): AlertPriority | null {
  if (p.total >= NEWS2_HIGH_RISK_AT) return 'critical';
  if (p.total >= NEWS2_MEDIUM_RISK_AT || p.highest >= NEWS2_SINGLE_PARAMETER_RED) return 'high';
  return null;
}

export interface DeteriorationState {
  levels: SubjectLevels;
  /** Per device, the person it measures (a resident's wristband and bed mat share one). */
  byDevice: Map<string, Person>;
  bySubject: Map<string, Person>;
}

const measures = (ctx: RuleContext<RuleSettings>) =>
  ctx.settings.deterioration.enabled && (ctx.device.kind === 'wristband' || ctx.device.kind === 'bedmat');

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

/** The device's feed of the person, created waited for (a device primed at start is waited for until it reports). */
function feedOf(person: Person, ctx: RuleContext<RuleSettings>): Feed {
  let feed = person.feeds.get(ctx.device.id);
  if (!feed) {
    feed = { newest: -Infinity, waited: true, waitingSince: null, allowanceMs: 0 };
    person.feeds.set(ctx.device.id, feed);
  }
  feed.allowanceMs = ctx.settings.deviceOffline.silenceFactor * ctx.device.expectedIntervalS * 1000;
  return feed;
}

/** Inserts in device-time order; almost always at the end. */
function enqueue(person: Person, item: Pending): void {
  const { pending } = person;
  let i = pending.length;
  while (i > 0 && pending[i - 1]!.sample.ts > item.sample.ts) i--;
  pending.splice(i, 0, item);
}

/**
 * Judges the pending samples up to the watermark, the oldest newest reading among the devices still waited for, so
 * the score's timeline is the same whatever order the devices' messages arrive in; notes which devices hold it back.
 */
function drain(state: DeteriorationState, person: Person, now: number): AlertIntent[] {
  let mark = Infinity;
  for (const feed of person.feeds.values()) if (feed.waited) mark = Math.min(mark, feed.newest);
  const { pending } = person;
  const out: AlertIntent[] = [];
  let judged = 0;
  while (judged < pending.length && pending[judged]!.sample.ts <= mark)
    out.push(...judge(state, person, pending[judged++]!));
  if (judged) pending.splice(0, judged);
  const last = pending.at(-1)?.sample.ts ?? -Infinity;
  for (const feed of person.feeds.values())
    feed.waitingSince = feed.waited && feed.newest < last ? (feed.waitingSince ?? now) : null;
  return out;
}

/** Takes the sample's parameters that are newer than the person's; false if it brings nothing new. */
function observe(p: Person, sample: ReadingSample, s: Deterioration): boolean {
  let changed = false;
  // Plain loops: this runs for every wristband and bed-mat sample.
  for (let i = 0; i < PARAMETERS.length; i++) {
    const { field, continuous } = PARAMETERS[i]!;
    const value = numberField(sample, field);
    if (value === undefined || sample.ts < p.at[i]!) continue;
    const since = sample.ts - p.at[i]!;
    const smooth = continuous && since <= s.freshMs;
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

/**
 * Keeps the stretches of each band in device time and returns the level it has held for `sustainMs`: 'pending' while
 * in a band not yet held that long. A sample older than the newest judged one changes the observations only.
 */
function sustainedLevel(p: Person, ts: number, s: Deterioration): SourceLevel | undefined {
  if (ts < p.judgedAt) return undefined;
  // A silence longer than the freshness window breaks a stretch: nothing was known in between.
  if (ts - p.judgedAt > s.freshMs) p.highSince = p.criticalSince = NaN;
  p.judgedAt = ts;
  const now = band(p);
  if (now === null) p.highSince = NaN;
  else if (Number.isNaN(p.highSince)) p.highSince = ts;
  if (now !== 'critical') p.criticalSince = NaN;
  else if (Number.isNaN(p.criticalSince)) p.criticalSince = ts;
  if (ts - p.criticalSince >= s.sustainMs) return 'critical';
  if (ts - p.highSince >= s.sustainMs) return 'high';
  return now === null ? null : 'pending';
}

const RULE = 'deterioration';

/**
 * deterioration: a partial NEWS2 score per resident from the latest respiration rate, SpO2, systolic blood pressure
 * and pulse of all their devices (each fresh within `deterioration.freshMs`, blood pressure `bpFreshMs`), in device
 * time. Medium risk (aggregate 5–6, or one parameter scoring 3) held for `sustainMs` (5 min): high; high risk
 * (7 or more): critical. The detail gives the score and its parts, never the values. Cleared when the score is low.
 */
/** Scores one sample in device-time order and turns the risk band it has held into an edge of the alert. */
function judge(state: DeteriorationState, person: Person, { sample, refs, settings }: Pending): AlertIntent[] {
  if (!observe(person, sample, settings)) return [];
  score(person, sample.ts, settings);
  const level = sustainedLevel(person, sample.ts, settings);
  if (level === undefined) return [];
  const { levels } = state;
  const { subject } = person;
  const raisedBefore = levels.raised(subject);
  levels.set(subject, SOURCE, level, sample.ts);
  const edge = levels.settle(subject);
  const base = { rule: RULE, subject, occurredAt: sample.ts } as const;
  if (edge === 'raise')
    return [intent(refs, { ...base, action: 'raise', priority: level as AlertPriority, detail: describe(person) })];
  if (edge === 'clear')
    return [intent(refs, { ...base, action: 'clear', priority: raisedBefore ?? 'high', detail: CLEARED })];
  return [];
}

/**
 * deterioration: a partial NEWS2 score per resident from the latest respiration rate, SpO2, systolic blood pressure
 * and pulse of all their devices (each fresh within `deterioration.freshMs`, blood pressure `bpFreshMs`), judged in
 * device time across the devices: a sample waits until every device of the person still reporting has reported up
 * to its time (docs/rules.md "NEWS2", "Order"). Medium risk (aggregate 5–6, or one parameter scoring 3) held for
 * `sustainMs` (5 min): high; high risk (7 or more): critical. The detail gives the score and its parts, never the
 * values. Cleared when the score is low.
 */
export const deteriorationRule: Rule<DeteriorationState, RuleSettings> = {
  name: RULE,
  initialState: () => ({ levels: new SubjectLevels(), byDevice: new Map(), bySubject: new Map() }),
  prime(ctx, _lastSeenAt, state) {
    if (measures(ctx)) feedOf(personOf(state, refsOf(ctx)), ctx);
  },
  evaluate(input, ctx, state) {
    if (!measures(ctx) || input.type === 'event') return [];
    const refs = refsOf(ctx);
    const person = personOf(state, refs);
    const feed = feedOf(person, ctx);
    if (input.type === 'status') {
      // Gone (its Last Will, or it said so): the others' samples no longer wait for it, until it reports again.
      if (input.will || !input.status.online) feed.waited = false;
      return drain(state, person, ctx.now);
    }
    const { sample } = input;
    feed.waited = true;
    feed.newest = Math.max(feed.newest, sample.ts);
    const settings = ctx.settings.deterioration;
    // NEWS2 scores observations at rest; a wristband's optical SpO2 and pulse taken while moving are artefact-prone.
    const unused =
      sample.worn === false ||
      sample.occupied === false ||
      (ctx.device.kind === 'wristband' && takenMoving(sample, ctx.settings.vitals.motionAtLeast));
    if (!unused) enqueue(person, { sample, refs, settings });
    return drain(state, person, ctx.now);
  },
  tick(now, state) {
    const out: AlertIntent[] = [];
    for (const person of state.bySubject.values()) {
      if (!person.pending.length) continue;
      let released = false;
      for (const feed of person.feeds.values())
        if (feed.waitingSince !== null && now - feed.waitingSince >= feed.allowanceMs) {
          feed.waited = false;
          released = true;
        }
      if (released) out.push(...drain(state, person, now));
    }
    return out;
  },
};
