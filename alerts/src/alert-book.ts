import { randomUUID } from 'node:crypto';
import {
  needsPresence,
  type Alert,
  type AlertEventType,
  type AlertRule,
  type ResolutionOutcome,
} from '@vigil/protocol';
import { ALERTS_ERROR_CODES, type AlertsErrorCode } from './errors.js';
import type { AlertIntent } from './rules/types.js';

/** One lifecycle step: what the event log turns into an `AlertEvent` (id, hash) and stores and publishes. */
export interface Transition {
  type: AlertEventType;
  actor: string | null;
  at: number;
  /** The alert as it is after this step (a copy: later steps never change it). */
  alert: Alert;
}

export type CommandOutcome = { ok: true; transition: Transition } | { ok: false; code: AlertsErrorCode };

export interface EscalationStep {
  /** An alert nobody acknowledged is escalated this long after it was raised, and again every repeatMs (0: never). */
  repeatMs: number;
  /** From this long after raising, escalations go to the safety officer (level 2). */
  officerMs: number;
}

/**
 * Reminders per priority (docs/alerts.md "Escalation"): the top-level step is the critical one; `high` and `warning`
 * have their own, slower steps (absent: not escalated). `info` is never escalated.
 */
export interface EscalationPolicy extends EscalationStep {
  high?: EscalationStep;
  warning?: EscalationStep;
}

function stepFor(policy: EscalationPolicy, priority: Alert['priority']): EscalationStep | undefined {
  if (priority === 'critical') return policy;
  if (priority === 'high' || priority === 'warning') return policy[priority];
  return undefined;
}

/** What the book remembers about an unresolved alert beyond the alert itself. */
export interface Tracked {
  alert: Alert;
  /** Wall time of the alert's latest event: `updated` events are throttled against it. */
  lastEventAt: number;
  lastEscalatedAt: number | null;
  /** Escalated once already because no display showed it in time (docs/alerts.md "Receipts"). */
  unseenEscalated?: boolean;
}

/** The actor of the escalation of an alert no display showed in time (docs/alerts.md "Receipts"). */
export const UNSEEN_ACTOR = 'vigil:not-shown';

export interface DrillRequest {
  rule?: AlertRule;
  resident?: string;
  location?: string;
  detail?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function acknowledgeBy(alert: Alert, actor: string, now: number): void {
  alert.status = 'acknowledged';
  alert.acknowledgedAt = iso(now);
  alert.acknowledgedBy = actor;
}
const keyOf = (facility: string, rule: string, subject: string) => `${facility}\u0000${rule}\u0000${subject}`;
const RECENTLY_RESOLVED_MAX = 10_000;

/**
 * The open alerts, in memory: the lifecycle state machine and the dedup rule (exactly one unresolved alert per
 * facility, rule and subject). Synchronous and free of I/O, so a message raises an alert without any database
 * round trip; every change comes back as a Transition for the event log.
 */
export class AlertBook {
  private readonly open = new Map<string, Tracked>();
  private readonly byId = new Map<string, Tracked>();
  // Commands may name an alert resolved a moment ago whose rows are still being written.
  private readonly recentlyResolved = new Map<string, string>();

  constructor(private readonly options: { updateIntervalMs: number; newId?: () => string }) {}

  /** Puts back an unresolved alert loaded from the database at start. */
  restore(tracked: Tracked): void {
    const { alert } = tracked;
    this.open.set(keyOf(alert.facility, alert.rule, alert.subject), tracked);
    this.byId.set(alert.id, tracked);
  }

  get size(): number {
    return this.open.size;
  }

  unresolved(): Alert[] {
    return [...this.open.values()].map((tracked) => ({ ...tracked.alert }));
  }

  has(facility: string, rule: string, subject: string): boolean {
    return this.open.has(keyOf(facility, rule, subject));
  }

  find(facility: string, rule: string, subject: string): Alert | null {
    const tracked = this.open.get(keyOf(facility, rule, subject));
    return tracked ? { ...tracked.alert } : null;
  }

  /** A rule saw its condition: a new alert, or (deduplicated) an `updated` event for the open one. */
  raise(
    facility: string,
    intent: AlertIntent,
    now: number,
    drill = false,
    actor: string | null = null,
  ): Transition | null {
    const key = keyOf(facility, intent.rule, intent.subject);
    const existing = this.open.get(key);
    if (!existing) {
      const alert: Alert = {
        id: (this.options.newId ?? randomUUID)(),
        facility,
        rule: intent.rule,
        priority: intent.priority,
        status: 'open',
        subject: intent.subject,
        resident: intent.resident,
        device: intent.device,
        location: intent.location,
        detail: intent.detail,
        drill,
        escalationLevel: 0,
        raisedAt: iso(now),
        occurredAt: iso(intent.occurredAt),
        lastSeenAt: iso(now),
        acknowledgedAt: null,
        acknowledgedBy: null,
        presentAt: null,
        presentBy: null,
        resolvedAt: null,
        resolvedBy: null,
        outcome: null,
        note: null,
      };
      const tracked: Tracked = { alert, lastEventAt: now, lastEscalatedAt: null };
      this.open.set(key, tracked);
      this.byId.set(alert.id, tracked);
      return { type: 'raised', actor, at: now, alert: { ...alert } };
    }
    const { alert } = existing;
    alert.lastSeenAt = iso(Math.max(now, Date.parse(alert.lastSeenAt)));
    const changed = alert.priority !== intent.priority || alert.detail !== intent.detail;
    // A condition seen on every reading must not flood the log and the displays: repeat at most every interval.
    if (!changed && now - existing.lastEventAt < this.options.updateIntervalMs) return null;
    alert.priority = intent.priority;
    alert.detail = intent.detail;
    existing.lastEventAt = now;
    return { type: 'updated', actor, at: now, alert: { ...alert } };
  }

  /** A rule revises an open alert's priority and detail (e.g. an SOS cancelled in time); never opens one. */
  update(facility: string, intent: AlertIntent, now: number): Transition | null {
    const tracked = this.open.get(keyOf(facility, intent.rule, intent.subject));
    if (!tracked) return null;
    const { alert } = tracked;
    if (alert.priority === intent.priority && alert.detail === intent.detail) return null;
    alert.priority = intent.priority;
    alert.detail = intent.detail;
    tracked.lastEventAt = now;
    return { type: 'updated', actor: null, at: now, alert: { ...alert } };
  }

  /** The condition is gone: only non-critical alerts nobody has acknowledged clear by themselves (docs/rules.md "Auto-clear"). */
  clear(facility: string, intent: AlertIntent, now: number): Transition | null {
    const tracked = this.open.get(keyOf(facility, intent.rule, intent.subject));
    if (!tracked || tracked.alert.status !== 'open' || tracked.alert.priority === 'critical') return null;
    const { alert } = tracked;
    alert.status = 'resolved';
    alert.resolvedAt = iso(now);
    alert.outcome = 'auto_cleared';
    this.forget(alert);
    return { type: 'auto_cleared', actor: null, at: now, alert: { ...alert } };
  }

  /** A manual drill: flagged everywhere, and its own subject so it never merges with a real alert. */
  drill(facility: string, request: DrillRequest, reference: string, actor: string, now: number): Transition {
    const intent: AlertIntent = {
      action: 'raise',
      rule: request.rule ?? 'drill',
      subject: `drill:${reference}`,
      priority: 'critical',
      detail: request.detail ?? 'drill',
      resident: request.resident ?? null,
      device: null,
      location: request.location ?? null,
      occurredAt: now,
    };
    return this.raise(facility, intent, now, true, actor)!;
  }

  acknowledge(id: string, facility: string, actor: string, now: number): CommandOutcome {
    const found = this.lookup(id, facility);
    if (!found.ok) return found;
    const { alert } = found.tracked;
    if (alert.status === 'acknowledged') return { ok: false, code: ALERTS_ERROR_CODES.alreadyAcknowledged };
    acknowledgeBy(alert, actor, now);
    found.tracked.lastEventAt = now;
    return { ok: true, transition: { type: 'acknowledged', actor, at: now, alert: { ...alert } } };
  }

  /**
   * A caregiver is at the resident (DIN VDE 0834 "presence"): recorded once, and it acknowledges an alert nobody
   * had acknowledged yet (whoever is there is going). docs/alerts.md "Presence at the resident".
   */
  presence(id: string, facility: string, actor: string, now: number): CommandOutcome {
    const found = this.lookup(id, facility);
    if (!found.ok) return found;
    if (found.tracked.alert.presentAt !== null) return { ok: false, code: ALERTS_ERROR_CODES.alreadyPresent };
    return { ok: true, transition: this.markPresent(found.tracked, actor, now) };
  }

  /**
   * The room's call button said a caregiver is there: every unresolved call `concerns` matches (the room's and its
   * residents') gets presence by the button, unless somebody was recorded present already.
   */
  presenceAt(facility: string, concerns: (alert: Alert) => boolean, actor: string, now: number): Transition[] {
    const transitions: Transition[] = [];
    for (const tracked of this.open.values()) {
      const { alert } = tracked;
      if (alert.facility !== facility || alert.presentAt !== null || !needsPresence(alert) || !concerns(alert))
        continue;
      transitions.push(this.markPresent(tracked, actor, now));
    }
    return transitions;
  }

  private markPresent(tracked: Tracked, actor: string, now: number): Transition {
    const { alert } = tracked;
    if (alert.status === 'open') acknowledgeBy(alert, actor, now);
    alert.presentAt = iso(now);
    alert.presentBy = actor;
    tracked.lastEventAt = now;
    return { type: 'presence', actor, at: now, alert: { ...alert } };
  }

  resolve(
    id: string,
    facility: string,
    actor: string,
    resolution: { outcome: ResolutionOutcome; note?: string | null },
    now: number,
  ): CommandOutcome {
    const found = this.lookup(id, facility);
    if (!found.ok) return found;
    const { alert } = found.tracked;
    // A call is cleared at the resident (DIN VDE 0834): first presence, then the outcome.
    if (alert.presentAt === null && needsPresence(alert)) {
      return { ok: false, code: ALERTS_ERROR_CODES.presenceRequired };
    }
    alert.status = 'resolved';
    alert.resolvedAt = iso(now);
    alert.resolvedBy = actor;
    alert.outcome = resolution.outcome;
    alert.note = resolution.note ?? null;
    this.forget(alert);
    return { ok: true, transition: { type: 'resolved', actor, at: now, alert: { ...alert } } };
  }

  /**
   * Escalation on the wall clock: an alert nobody acknowledged is escalated its priority's repeatMs after raising
   * and every repeatMs after its last escalation; from its officerMs on at level 2. The step is the alert's current
   * priority's (a fall lowered to high, an SOS cancelled in time, go on at the high pace). Driven by raisedAt and
   * the last escalation time, both of which the database keeps, so the timers survive restarts.
   */
  escalate(now: number, policy: EscalationPolicy): Transition[] {
    const transitions: Transition[] = [];
    for (const tracked of this.open.values()) {
      const { alert } = tracked;
      const step = stepFor(policy, alert.priority);
      if (!step?.repeatMs || alert.status !== 'open') continue;
      const raisedAt = Date.parse(alert.raisedAt);
      const due = (tracked.lastEscalatedAt ?? raisedAt) + step.repeatMs;
      if (now < due) continue;
      const level = now - raisedAt >= step.officerMs ? 2 : 1;
      alert.escalationLevel = Math.max(alert.escalationLevel, level);
      tracked.lastEscalatedAt = now;
      tracked.lastEventAt = now;
      transitions.push({ type: 'escalated', actor: null, at: now, alert: { ...alert } });
    }
    return transitions;
  }

  /**
   * Open alerts raised at least `afterMs` ago (and at most `horizonMs`), not yet escalated for it, that would be
   * escalated if no display showed them: the ids to ask the receipts about. Info alerts never escalate.
   */
  unseenCandidates(now: number, afterMs: number, horizonMs: number): { id: string; raisedAt: string }[] {
    const candidates: { id: string; raisedAt: string }[] = [];
    for (const { alert, unseenEscalated } of this.open.values()) {
      const age = now - Date.parse(alert.raisedAt);
      if (unseenEscalated || alert.status !== 'open' || alert.priority === 'info') continue;
      if (age >= afterMs && age <= horizonMs) candidates.push({ id: alert.id, raisedAt: alert.raisedAt });
    }
    return candidates;
  }

  /**
   * No display showed these alerts in time: escalated once, straight to the safety officer (level 2), with the
   * actor `UNSEEN_ACTOR`. Alerts acknowledged or resolved meanwhile are left alone.
   */
  escalateUnseen(ids: readonly string[], now: number): Transition[] {
    const transitions: Transition[] = [];
    for (const id of ids) {
      const tracked = this.byId.get(id);
      if (!tracked || tracked.unseenEscalated || tracked.alert.status !== 'open') continue;
      tracked.unseenEscalated = true;
      tracked.alert.escalationLevel = 2;
      tracked.lastEscalatedAt = now;
      tracked.lastEventAt = now;
      transitions.push({ type: 'escalated', actor: UNSEEN_ACTOR, at: now, alert: { ...tracked.alert } });
    }
    return transitions;
  }

  /** The unseen check of these alerts is settled (a display showed them, or it was done before a restart). */
  settleUnseen(ids: readonly string[]): void {
    for (const id of ids) {
      const tracked = this.byId.get(id);
      if (tracked) tracked.unseenEscalated = true;
    }
  }

  private lookup(id: string, facility: string): { ok: true; tracked: Tracked } | { ok: false; code: AlertsErrorCode } {
    const tracked = this.byId.get(id);
    if (tracked && tracked.alert.facility === facility) return { ok: true, tracked };
    // Another facility's alert is reported as absent, never as someone else's (scoping, docs/ARCHITECTURE.md "Roles").
    if (this.recentlyResolved.get(id) === facility) return { ok: false, code: ALERTS_ERROR_CODES.alreadyResolved };
    return { ok: false, code: ALERTS_ERROR_CODES.notFound };
  }

  private forget(alert: Alert): void {
    this.open.delete(keyOf(alert.facility, alert.rule, alert.subject));
    this.byId.delete(alert.id);
    this.recentlyResolved.set(alert.id, alert.facility);
    if (this.recentlyResolved.size > RECENTLY_RESOLVED_MAX) {
      this.recentlyResolved.delete(this.recentlyResolved.keys().next().value!);
    }
  }
}
