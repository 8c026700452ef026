import type { AlertPriority } from '@vigil/protocol';
import type { FacilityIntent } from './rule-runner.js';
import type { AlertIntent } from './rules/types.js';

/** How many new non-critical alerts a facility may get in a minute (0: no cap). docs/alerts.md "Flood control". */
export interface CapPolicy {
  perMinute: number;
}

const MINUTE = 60_000;
/** The cap alert's count is refreshed at most this often: the alert about a flood must not become one. */
const REPORT_EVERY_MS = 30_000;
const FIRST: Record<AlertPriority, number> = { critical: 0, high: 1, warning: 2, info: 3 };

interface Facility {
  /** Wall times of the non-critical alerts created in the last minute, oldest first. */
  created: number[];
  /** Raises held back, by rule and subject (a later intent for the same alert replaces or drops it). */
  held: Map<string, AlertIntent>;
  /** The count the cap alert last showed (0: no cap alert raised), and when. */
  reported: number;
  reportedAt: number;
}

export type CapReport = { action: 'raise'; held: number } | { action: 'clear' } | null;

const keyOf = (intent: AlertIntent) => `${intent.rule}\u0000${intent.subject}`;

/**
 * Per facility, a sliding minute of alert creations. A new non-critical alert beyond `perMinute` is held back, not
 * dropped: it is created as soon as the minute allows (high before warning, then oldest first), unless its
 * condition clears first. Critical alerts are never held and do not count. Wall clock, in memory: the engine owns
 * it, because it caps what all rules create together.
 */
export class CreationCap {
  private readonly facilities = new Map<string, Facility>();

  constructor(private readonly policy: CapPolicy) {}

  get perMinute(): number {
    return this.policy.perMinute;
  }

  /** Whether a new alert for this intent may be created now (then it is counted); otherwise it is held. */
  admit(facility: string, intent: AlertIntent, now: number): boolean {
    if (intent.priority === 'critical' || this.policy.perMinute <= 0) return true;
    const state = this.entry(facility);
    if (this.room(state, now) > 0 && !state.held.size) {
      state.created.push(now);
      return true;
    }
    state.held.set(keyOf(intent), intent);
    return false;
  }

  /**
   * A later intent for an alert that is held: an `update` revises it, a `clear` drops it (its condition ended
   * before it could be shown) and a critical raise takes it out to be created at once. True if it was held.
   */
  revise(facility: string, intent: AlertIntent): boolean {
    const held = this.facilities.get(facility)?.held;
    const key = keyOf(intent);
    const before = held?.get(key);
    if (!held || !before) return false;
    if (intent.action === 'update') held.set(key, { ...before, priority: intent.priority, detail: intent.detail });
    else if (intent.action === 'clear' || intent.priority === 'critical') held.delete(key);
    else held.set(key, intent);
    return intent.action !== 'raise' || intent.priority !== 'critical';
  }

  /** Held raises that fit in the minute now, to be created (each counted). */
  release(now: number): FacilityIntent[] {
    const out: FacilityIntent[] = [];
    for (const [facility, state] of this.facilities) {
      if (!state.held.size) continue;
      const room = this.room(state, now);
      if (room <= 0) continue;
      const next = [...state.held.values()].sort((a, b) => FIRST[a.priority] - FIRST[b.priority]).slice(0, room);
      for (const intent of next) {
        state.held.delete(keyOf(intent));
        state.created.push(now);
        out.push({ facility, intent });
      }
    }
    return out;
  }

  /** What the facility's cap alert should say now: raised with the count held back, or cleared once none are. */
  report(facility: string, now: number): CapReport {
    const state = this.facilities.get(facility);
    if (!state) return null;
    const held = state.held.size;
    if (!held) {
      if (!state.reported) return null;
      state.reported = 0;
      return { action: 'clear' };
    }
    if (held === state.reported || (state.reported && now - state.reportedAt < REPORT_EVERY_MS)) return null;
    state.reported = held;
    state.reportedAt = now;
    return { action: 'raise', held };
  }

  facilitiesHolding(): string[] {
    return [...this.facilities].filter(([, state]) => state.held.size || state.reported).map(([id]) => id);
  }

  private room(state: Facility, now: number): number {
    while (state.created.length && state.created[0]! <= now - MINUTE) state.created.shift();
    return this.policy.perMinute - state.created.length;
  }

  private entry(facility: string): Facility {
    let state = this.facilities.get(facility);
    if (!state) this.facilities.set(facility, (state = { created: [], held: new Map(), reported: 0, reportedAt: 0 }));
    return state;
  }
}
