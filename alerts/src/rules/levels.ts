import type { AlertPriority } from '@vigil/protocol';
import { isHigher, maxPriority } from './intent.js';

/** What a subject's change asks of the engine. */
export type Edge = 'raise' | 'clear' | null;

/** A source's level: a priority while it sees the condition, null when calm, 'pending' while not yet sustained. */
export type SourceLevel = AlertPriority | null | 'pending';

interface Subject {
  sources: Map<string, { level: SourceLevel; at: number; detail?: string }>;
  /** Highest priority raised since the last clear. */
  raised: AlertPriority | null;
  /**
   * Whether an alert may be open. A subject starts as "maybe": after a restart of the engine an alert may be open
   * from before, so the first calm observation clears it (the engine ignores a clear with no open alert).
   */
  mayBeOpen: boolean;
}

/**
 * Per subject, the level each source (a device, or one measurement of a device) reports; the subject's level is
 * the highest. Several sensors in one kitchen, or a wristband and a bed mat measuring one heart rate, thus make
 * one alert, raised when the first source sees the condition and cleared only when every source is calm.
 * Sources not heard from since `freshSince` (device time) are left out.
 */
export class SubjectLevels {
  private readonly subjects = new Map<string, Subject>();

  /** Sets a source's level; `detail` says why, for the raise. */
  set(subject: string, source: string, level: SourceLevel, at: number, detail?: string): void {
    const { sources } = this.entry(subject);
    const known = sources.get(source);
    // In place: fed by every reading of every device.
    if (!known) sources.set(source, { level, at, detail });
    else {
      known.level = level;
      known.at = Math.max(at, known.at);
      known.detail = detail;
    }
  }

  /** The detail of the fresh source with the highest priority. */
  cause(subject: string, freshSince = -Infinity): string | undefined {
    const level = this.level(subject, freshSince);
    for (const source of this.entry(subject).sources.values()) {
      if (source.at >= freshSince && source.level === level) return source.detail;
    }
    return undefined;
  }

  /** The highest priority among fresh sources (null if none sees the condition). */
  level(subject: string, freshSince = -Infinity): AlertPriority | null {
    let level: AlertPriority | null = null;
    for (const source of this.entry(subject).sources.values()) {
      if (source.at >= freshSince && source.level !== null && source.level !== 'pending') {
        level = maxPriority(level, source.level);
      }
    }
    return level;
  }

  /** Highest priority raised since the last clear. */
  raised(subject: string): AlertPriority | null {
    return this.entry(subject).raised;
  }

  /** Notes a raise made for another reason (e.g. a past episode found in late samples). */
  markRaised(subject: string, priority: AlertPriority): void {
    const entry = this.entry(subject);
    entry.raised = maxPriority(entry.raised, priority);
    entry.mayBeOpen = true;
  }

  /** After the sources were updated: raise when the level rose above what was raised, clear when all are calm. */
  settle(subject: string, freshSince = -Infinity): Edge {
    const entry = this.entry(subject);
    const level = this.level(subject, freshSince);
    if (isHigher(level, entry.raised)) {
      this.markRaised(subject, level!);
      return 'raise';
    }
    let calm = true;
    for (const source of entry.sources.values()) if (source.at >= freshSince && source.level !== null) calm = false;
    if (calm && entry.mayBeOpen) {
      entry.mayBeOpen = false;
      entry.raised = null;
      return 'clear';
    }
    return null;
  }

  private entry(subject: string): Subject {
    let entry = this.subjects.get(subject);
    if (!entry) this.subjects.set(subject, (entry = { sources: new Map(), raised: null, mayBeOpen: true }));
    return entry;
  }
}
