import type { ReadingSample } from '@vigil/protocol';
import { formatDuration, numberField, personSubject, refsOf, takenMoving, type Refs } from './intent.js';
import { continuousSpec, type RunSpec } from './runs.js';
import type { RuleSettings } from './settings.js';
import { judgeSustained, sustainedState, type Sustained, type SustainedState } from './sustained.js';
import type { AlertIntent, DeviceInfo, Rule } from './types.js';

type Vitals = RuleSettings['vitals'];
type Sign = 'hr' | 'spo2' | 'rr' | 'bp';

interface Condition extends Sustained<Vitals> {
  sign: Sign;
  field: 'hr' | 'spo2' | 'rr' | 'sbp' | 'dbp';
}

/** A condition on one measured field: samples without the field say nothing about it. */
function onField(c: FieldCondition): Condition {
  const { test, ...rest } = c;
  return {
    ...rest,
    hit: (sample, s) => {
      const value = numberField(sample, c.field);
      return value === undefined ? undefined : test(value, s, sample);
    },
  };
}

/**
 * Critically low SpO2 confirmed on samples taken at rest: a sample taken while moving (motion artefact makes optical
 * SpO2 read falsely low) neither starts nor completes the window, and neither breaks it while low; in range, it does.
 */
const lowAtRest = (v: number, s: Vitals, sample: ReadingSample) =>
  v >= s.spo2CriticalBelow ? false : takenMoving(sample, s.motionAtLeast) ? undefined : true;

/** Heart rate, SpO2 and respiratory rate are continuous: a condition must hold for a span of device time. */
const continuous = (sustainMs: number, s: Vitals, device: DeviceInfo) =>
  continuousSpec(sustainMs, s.maxGapMs, device.expectedIntervalS);

/** Blood pressure is measured now and then: consecutive readings count, however far apart. */
const readings = (s: Vitals): RunSpec => ({ sustainMs: 0, minSamples: s.bpReadings, maxGapMs: Infinity, horizonMs: 0 });

const forSpan = (ms: number) => (ms > 0 ? ` for ${formatDuration(ms)}` : '');
const onReadings = (s: Vitals) => ` on ${s.bpReadings} reading${s.bpReadings === 1 ? '' : 's'}`;

// One detail for both confirmations: a long episode completes both, and its alert must not flip between them.
function spo2CriticalDetail(s: Vitals): string {
  const below = `SpO2 below ${s.spo2CriticalBelow} %`;
  if (s.spo2CriticalSustainMs === 0) return below;
  return `${below}${forSpan(s.spo2CriticalSustainMs)} (${formatDuration(2 * s.spo2CriticalSustainMs)} while moving)`;
}

type FieldCondition = Omit<Condition, 'hit'> & {
  test(value: number, s: Vitals, sample: ReadingSample): boolean | undefined;
};

const CONDITIONS: Condition[] = (
  [
    {
      key: 'hrLow',
      sign: 'hr',
      field: 'hr',
      priority: 'high',
      test: (v, s) => v < s.hrBelow,
      spec: (s, d) => continuous(s.sustainMs, s, d),
      detail: (s) => `heart rate below ${s.hrBelow} bpm${forSpan(s.sustainMs)}`,
    },
    {
      key: 'hrHigh',
      sign: 'hr',
      field: 'hr',
      priority: 'high',
      test: (v, s) => v > s.hrAbove,
      spec: (s, d) => continuous(s.sustainMs, s, d),
      detail: (s) => `heart rate above ${s.hrAbove} bpm${forSpan(s.sustainMs)}`,
    },
    {
      key: 'spo2Low',
      sign: 'spo2',
      field: 'spo2',
      priority: 'high',
      test: (v, s) => v < s.spo2Below,
      spec: (s, d) => continuous(s.sustainMs, s, d),
      detail: (s) => `SpO2 below ${s.spo2Below} %${forSpan(s.sustainMs)}`,
    },
    {
      key: 'spo2Critical',
      sign: 'spo2',
      field: 'spo2',
      priority: 'critical',
      test: lowAtRest,
      spec: (s, d) => continuous(s.spo2CriticalSustainMs, s, d),
      detail: spo2CriticalDetail,
    },
    {
      // Moving samples weigh half: low samples of any kind confirm over twice the window.
      key: 'spo2CriticalMoving',
      sign: 'spo2',
      field: 'spo2',
      priority: 'critical',
      test: (v, s) => v < s.spo2CriticalBelow,
      spec: (s, d) => continuous(2 * s.spo2CriticalSustainMs, s, d),
      detail: spo2CriticalDetail,
    },
    {
      key: 'rrLow',
      sign: 'rr',
      field: 'rr',
      priority: 'high',
      test: (v, s) => v < s.rrBelow,
      spec: (s, d) => continuous(s.sustainMs, s, d),
      detail: (s) => `respiratory rate below ${s.rrBelow} /min${forSpan(s.sustainMs)}`,
    },
    {
      key: 'rrHigh',
      sign: 'rr',
      field: 'rr',
      priority: 'high',
      test: (v, s) => v > s.rrAbove,
      spec: (s, d) => continuous(s.sustainMs, s, d),
      detail: (s) => `respiratory rate above ${s.rrAbove} /min${forSpan(s.sustainMs)}`,
    },
    {
      key: 'sbpHigh',
      sign: 'bp',
      field: 'sbp',
      priority: 'high',
      test: (v, s) => v >= s.sbpAtLeast,
      spec: readings,
      detail: (s) => `systolic blood pressure ${s.sbpAtLeast} mmHg or higher${onReadings(s)}`,
    },
    {
      key: 'sbpLow',
      sign: 'bp',
      field: 'sbp',
      priority: 'high',
      test: (v, s) => v <= s.sbpAtMost,
      spec: readings,
      detail: (s) => `systolic blood pressure ${s.sbpAtMost} mmHg or lower${onReadings(s)}`,
    },
    {
      key: 'dbpHigh',
      sign: 'bp',
      field: 'dbp',
      priority: 'high',
      test: (v, s) => v >= s.dbpAtLeast,
      spec: readings,
      detail: (s) => `diastolic blood pressure ${s.dbpAtLeast} mmHg or higher${onReadings(s)}`,
    },
  ] satisfies FieldCondition[]
).map(onField);

const SIGNS: Sign[] = ['hr', 'spo2', 'rr', 'bp'];

/** What each device kind measures (PROTOCOL.md reading fields). */
const MEASURED: Record<string, ReadonlySet<string>> = {
  wristband: new Set(['hr', 'spo2', 'sbp', 'dbp']),
  bedmat: new Set(['hr', 'rr']),
};

/** Per device kind, the conditions of each sign it measures. */
const BY_KIND = new Map(
  Object.entries(MEASURED).map(([kind, fields]) => {
    const bySign = SIGNS.map((sign) => ({
      sign,
      conditions: CONDITIONS.filter((c) => c.sign === sign && fields.has(c.field)),
    })).filter((group) => group.conditions.length > 0);
    return [kind, bySign] as const;
  }),
);

/** A device not heard from for this long (wall clock) no longer holds a vital-sign alert open. */
const VITALS_JUDGEMENT = { staleMs: 5 * 60_000, clearDetail: 'back in range' };

/**
 * vitals: heart rate, SpO2 and respiratory rate out of range for `vitals.sustainMs` (60 s) of device time, blood
 * pressure out of range on `vitals.bpReadings` (2) consecutive readings: high; SpO2 below `spo2CriticalBelow` (85 %)
 * for `spo2CriticalSustainMs` (15 s) at rest, or twice that on samples taken while moving: critical. One alert per
 * resident and sign (`resident:<id>:hr|spo2|rr|bp`), fed by every device measuring it; samples of a wristband not
 * worn or an empty bed are skipped. Raised once per sustained run (again if the
 * priority rises); cleared when the newest samples of every device are back in range.
 */
export interface VitalsState extends SustainedState {
  /** Per device, its person subject and the subject of each sign, built once (see SustainedState.runs). */
  subjects: Map<string, { person: string; signs: Map<Sign, string> }>;
}

function signSubject(state: VitalsState, refs: Refs, sign: Sign): string {
  const person = personSubject(refs);
  let cached = state.subjects.get(refs.device);
  if (cached?.person !== person) state.subjects.set(refs.device, (cached = { person, signs: new Map() }));
  let subject = cached.signs.get(sign);
  if (!subject) cached.signs.set(sign, (subject = `${person}:${sign}`));
  return subject;
}

export const vitalsRule: Rule<VitalsState, RuleSettings> = {
  name: 'vitals',
  initialState: () => ({ ...sustainedState(), subjects: new Map() }),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.vitals;
    const groups = BY_KIND.get(ctx.device.kind);
    if (!settings.enabled || input.type !== 'reading' || !groups) return [];
    const { sample } = input;
    if (sample.worn === false || sample.occupied === false) return [];
    const refs = refsOf(ctx);
    const intents: AlertIntent[] = [];
    for (const { sign, conditions } of groups) {
      const subject = signSubject(state, refs, sign);
      const { device } = ctx;
      const judgement = {
        rule: 'vitals' as const,
        subject,
        conditions,
        sample,
        refs,
        device,
        settings,
        now: ctx.now,
        ...VITALS_JUDGEMENT,
      };
      for (const intent of judgeSustained(judgement, state)) intents.push(intent);
    }
    return intents;
  },
};
