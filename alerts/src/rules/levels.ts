import type { AlertPriority } from '@vigil/protocol';
import { isHigher, maxPriority } from './intent.js';

/** What a subject's level change asks of the engine. */
export type Edge = 'raise' | 'clear' | null;

interface SourceLevel {
  level: AlertPriority | null;
  /** Device time of the observation that set it. */
  at: number;
}

/**
 * Per subject, the level each source (a device, or one measurement of a device) reports; the subject's level is
 * the highest. Several sensors in one kitchen, or a wristband and a bed mat measuring one heart rate, thus make
 * one alert, raised when the first source sees the condition and cleared only when none does any more.
 */
export class SubjectLevels {
  private readonly subjects = new Map<string, Map<string, SourceLevel>>();

  /** The subject's current level, ignoring sources not heard from since `freshSince` (device time). */
  level(subject: string, freshSince = -Infinity): AlertPriority | null | undefined {
    const sources = this.subjects.get(subject);
    if (!sources) return undefined;
    let level: AlertPriority | null = null;
    for (const source of sources.values()) if (source.at >= freshSince) level = maxPriority(level, source.level);
    return level;
  }

  /**
   * Records a source's level and says whether the subject's level rose (raise) or fell to nothing (clear).
   * A subject never seen before counts as possibly alerting: its first calm observation clears, so an alert left
   * open across a restart of the engine is cleared when its condition is gone.
   */
  set(subject: string, source: string, level: AlertPriority | null, at: number, freshSince = -Infinity): Edge {
    const before = this.level(subject, freshSince);
    let sources = this.subjects.get(subject);
    if (!sources) this.subjects.set(subject, (sources = new Map()));
    sources.set(source, { level, at: Math.max(at, sources.get(source)?.at ?? -Infinity) });
    const after = this.level(subject, freshSince) ?? null;
    if (isHigher(after, before ?? null)) return 'raise';
    if (after === null && before !== null) return 'clear';
    return null;
  }
}
