import { ALERT_PRIORITIES, type AlertEvent, type AlertPriority, type AlertRule } from '@vigil/protocol';

/** One alert as the replay saw it: when it was raised, each priority it reached, and whether it auto-cleared. */
export interface ReplayedAlert {
  rule: AlertRule;
  subject: string;
  /** Device time of what raised it (the alert's occurredAt). */
  occurredAt: number;
  /** Wall clock of the `raised` event. */
  raisedAt: number;
  /** Wall clock at which it first had each priority (raised, or updated). */
  reached: Partial<Record<AlertPriority, number>>;
  cleared: boolean;
}

/** critical 0 … info 3: a lower rank is more urgent. */
export const rank = (priority: AlertPriority) => ALERT_PRIORITIES.indexOf(priority);

/** The alerts of a replay, in the order they were raised. */
export function replayedAlerts(events: readonly AlertEvent[]): ReplayedAlert[] {
  const byId = new Map<string, ReplayedAlert>();
  for (const { event, alert, at } of events) {
    const ms = Date.parse(at);
    let replayed = byId.get(alert.id);
    if (!replayed) {
      if (event !== 'raised') continue;
      replayed = {
        rule: alert.rule,
        subject: alert.subject,
        occurredAt: Date.parse(alert.occurredAt),
        raisedAt: ms,
        reached: {},
        cleared: false,
      };
      byId.set(alert.id, replayed);
    }
    replayed.reached[alert.priority] ??= ms;
    if (event === 'auto_cleared') replayed.cleared = true;
  }
  return [...byId.values()];
}

/** When the alert first had `priority` or a more urgent one (undefined: never). */
export function reachedAt(alert: ReplayedAlert, priority: AlertPriority): number | undefined {
  const times = ALERT_PRIORITIES.filter((p) => rank(p) <= rank(priority)).flatMap((p) => alert.reached[p] ?? []);
  return times.length ? Math.min(...times) : undefined;
}
