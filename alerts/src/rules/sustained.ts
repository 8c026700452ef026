import type { AlertPriority, AlertRule, ReadingSample } from '@vigil/protocol';
import { intent, isHigher, maxPriority, type Refs } from './intent.js';
import { SubjectLevels } from './levels.js';
import { RunTracker, type RunSpec } from './runs.js';
import type { AlertIntent, DeviceInfo } from './types.js';

/** One sustained condition of a subject, e.g. "heart rate above 130 bpm for 60 s". */
export interface Sustained<S> {
  key: string;
  priority: AlertPriority;
  /** Whether a sample meets the condition; undefined when the sample says nothing about it. */
  hit(sample: ReadingSample, settings: S): boolean | undefined;
  spec(settings: S, device: DeviceInfo): RunSpec;
  detail(settings: S): string;
}

export interface SustainedState {
  /**
   * Per device, per subject, each condition's runs. Keyed by the ids themselves rather than a joined string: the
   * same string objects come back with every message, so their hashes are cached (this is the hot path).
   */
  runs: Map<string, Map<string, Map<Sustained<never>, SourceRuns>>>;
  levels: SubjectLevels;
}

export const sustainedState = (): SustainedState => ({ runs: new Map(), levels: new SubjectLevels() });

/** A condition's runs for one device and subject, with its source name in the subject's levels (built once). */
class SourceRuns extends RunTracker {
  constructor(readonly source: string) {
    super();
  }
}

export interface Judgement<S> {
  rule: AlertRule;
  subject: string;
  conditions: readonly Sustained<S>[];
  sample: ReadingSample;
  refs: Refs;
  device: DeviceInfo;
  settings: S;
  /** A device not heard from for this long (device time) no longer holds the subject's alert open. */
  staleMs: number;
  clearDetail: string;
}

/**
 * Feeds the sample to each condition's runs (per subject and device) and judges the subject: raise once per
 * sustained run (again when the priority rises, never lower than an open critical), clear when every fresh device
 * is calm. Runs completed by a late, out-of-order sample are raised as they happened and, if already over, cleared.
 */
export function judgeSustained<S>(j: Judgement<S>, state: SustainedState): AlertIntent[] {
  const trackers = trackersOf(state, j);
  const touched = new Map<Sustained<S>, SourceRuns>();
  for (const condition of j.conditions) {
    const hit = condition.hit(j.sample, j.settings);
    if (hit === undefined) continue;
    let runs = trackers.get(condition);
    if (!runs) trackers.set(condition, (runs = new SourceRuns(`${j.refs.device}/${condition.key}`)));
    touched.set(condition, runs);
    runs.add(j.sample.ts, hit);
  }
  if (touched.size === 0) return [];
  let newest = -Infinity;
  let raise: { condition: Sustained<S>; at: number } | null = null;
  for (const [condition, runs] of touched) {
    const result = runs.evaluate(condition.spec(j.settings, j.device));
    const at = runs.newestTs ?? -Infinity;
    newest = Math.max(newest, at);
    for (const reachedAt of result.newRuns) {
      const worse = !raise || isHigher(condition.priority, raise.condition.priority);
      if (worse || (condition.priority === raise!.condition.priority && reachedAt > raise!.at)) {
        raise = { condition, at: reachedAt };
      }
    }
    const level = result.current === 'hit' ? condition.priority : result.current === 'miss' ? null : 'pending';
    state.levels.set(j.subject, runs.source, level, at);
  }
  if (raise) state.levels.markRaised(j.subject, raise.condition.priority);
  const clearPriority =
    maxPriority(state.levels.raised(j.subject), raise?.condition.priority ?? null) ?? j.conditions[0]!.priority;
  const freshSince = newest - j.staleMs;
  const settled = state.levels.settle(j.subject, freshSince);
  const intents: AlertIntent[] = [];
  const base = { rule: j.rule, subject: j.subject };
  if (raise || settled === 'raise') {
    const current = state.levels.level(j.subject, freshSince);
    const worst = j.conditions.find((c) => c.priority === current && current === 'critical');
    const cause = worst ?? raise?.condition ?? j.conditions.find((c) => c.priority === current)!;
    const detail = cause.detail(j.settings);
    intents.push(
      intent(j.refs, { ...base, action: 'raise', priority: cause.priority, detail, occurredAt: raise?.at ?? newest }),
    );
  }
  const cleared = settled === 'clear' || (raise !== null && state.levels.settle(j.subject, freshSince) === 'clear');
  if (cleared) {
    intents.push(
      intent(j.refs, { ...base, action: 'clear', priority: clearPriority, detail: j.clearDetail, occurredAt: newest }),
    );
  }
  return intents;
}

function trackersOf<S>(state: SustainedState, j: Judgement<S>): Map<Sustained<S>, SourceRuns> {
  let bySubject = state.runs.get(j.refs.device);
  if (!bySubject) state.runs.set(j.refs.device, (bySubject = new Map()));
  let found = bySubject.get(j.subject);
  if (!found) bySubject.set(j.subject, (found = new Map()));
  return found as Map<Sustained<S>, SourceRuns>;
}
