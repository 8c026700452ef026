import type { AlertPriority, AlertRule, DeviceKind, ReadingSample } from '@vigil/protocol';
import { intent, numberField, refsOf, type Refs } from './intent.js';
import { SubjectLevels } from './levels.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, DeviceInfo, Rule, RuleContext, RuleInput } from './types.js';

/** A measured field of a hazard sensor and the level its value means. */
export interface Measure<S> {
  field: string;
  /** The level and a short reason, or null when the value is safe. */
  judge(value: number, settings: S): { priority: AlertPriority; detail: string } | null;
}

export interface HazardSpec<S> {
  rule: AlertRule;
  kind: DeviceKind;
  subject(refs: Refs): string;
  /** What the device's own `alarm` event means (its `clear` event ends it; `test`, `fault`, `tamper` are ignored). */
  alarm: { priority: AlertPriority; detail: string };
  measures: readonly Measure<S>[];
  clearDetail: string;
}

/** A level a rule derives itself from a sample (e.g. a temperature's rate of rise). */
export interface Derived {
  source: string;
  level: AlertPriority | null;
  detail: string;
}

/**
 * The common shape of fire, gas and electrical: the device's own alarm events and its measured values are sources
 * of the subject's level (several sensors of a place make one alert). Raised when the level rises; every alarm
 * event raises again (the engine deduplicates); cleared when every source is calm (the engine keeps critical
 * alerts for a person).
 */
function evaluateHazard<S>(
  spec: HazardSpec<S>,
  input: RuleInput,
  ctx: RuleContext<unknown>,
  settings: S,
  levels: SubjectLevels,
  derive?: (sample: ReadingSample) => Derived[],
): AlertIntent[] {
  if (ctx.device.kind !== spec.kind || input.type === 'status') return [];
  const refs = refsOf(ctx);
  const subject = spec.subject(refs);
  let touched = false;
  const set = (name: string, level: AlertPriority | null, at: number, detail: string | undefined) => {
    levels.set(subject, `${refs.device}/${name}`, level, at, detail);
    touched = true;
  };
  let occurredAt: number;
  let alarmed = false;
  if (input.type === 'event') {
    const { type, ts } = input.event;
    if (type !== 'alarm' && type !== 'clear') return [];
    alarmed = type === 'alarm';
    set('alarm', alarmed ? spec.alarm.priority : null, ts, spec.alarm.detail);
    occurredAt = ts;
  } else {
    const { sample } = input;
    for (const measure of spec.measures) {
      const value = numberField(sample, measure.field);
      if (value === undefined) continue;
      const judged = measure.judge(value, settings);
      set(measure.field, judged?.priority ?? null, sample.ts, judged?.detail);
    }
    for (const derived of derive?.(sample) ?? []) set(derived.source, derived.level, sample.ts, derived.detail);
    occurredAt = sample.ts;
  }
  // A reading with none of the rule's fields (e.g. only `battery`) says nothing about the hazard.
  if (!touched) return [];
  const raisedBefore = levels.raised(subject);
  const edge = levels.settle(subject);
  const base = { rule: spec.rule, subject, occurredAt };
  if (edge === 'raise' || alarmed) {
    const priority = levels.level(subject) ?? spec.alarm.priority;
    const detail = levels.cause(subject) ?? spec.alarm.detail;
    return [intent(refs, { ...base, action: 'raise', priority, detail })];
  }
  if (edge === 'clear') {
    const priority = raisedBefore ?? spec.alarm.priority;
    return [intent(refs, { ...base, action: 'clear', priority, detail: spec.clearDetail })];
  }
  return [];
}

/** `judge` for a field with one threshold (inclusive). */
export function atLeast<S>(
  priority: AlertPriority,
  threshold: (s: S) => number,
  detail: (threshold: number) => string,
): Measure<S>['judge'] {
  return (value, s) => (value >= threshold(s) ? { priority, detail: detail(threshold(s)) } : null);
}

/** Levels a hazard rule derives from its own history of samples (fire's rate of rise, gas's CO averages). */
export interface Deriver<S, X> {
  initialState(): X;
  derive(history: X, device: DeviceInfo, sample: ReadingSample, settings: S): Derived[];
}

export interface HazardState<X> {
  levels: SubjectLevels;
  history: X;
}

/** A hazard rule: the subjects' levels, and what `deriver` keeps (fire, gas, electrical). */
export function hazardRule<S extends { enabled: boolean }, X = null>(
  spec: HazardSpec<S>,
  section: (settings: RuleSettings) => S,
  deriver?: Deriver<S, X>,
): Rule<HazardState<X | null>, RuleSettings> {
  return {
    name: spec.rule,
    initialState: () => ({ levels: new SubjectLevels(), history: deriver?.initialState() ?? null }),
    evaluate(input, ctx, state) {
      const settings = section(ctx.settings);
      if (!settings.enabled) return [];
      const derive =
        deriver && ((sample: ReadingSample) => deriver.derive(state.history!, ctx.device, sample, settings));
      return evaluateHazard(spec, input, ctx, settings, state.levels, derive);
    },
  };
}

/** `judge` for a field with a high and a critical threshold (both inclusive). */
export function tiers<S>(
  high: (s: S) => number,
  critical: (s: S) => number,
  detail: (threshold: number) => string,
): Measure<S>['judge'] {
  return (value, s) => {
    if (value >= critical(s)) return { priority: 'critical', detail: detail(critical(s)) };
    if (value >= high(s)) return { priority: 'high', detail: detail(high(s)) };
    return null;
  };
}
