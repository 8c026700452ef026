import type { Alert } from '../shared/api.js';

const RANK: Record<Alert['priority'], number> = { critical: 0, high: 1, warning: 2, info: 3 };
/** Alerts of one rule raised within this long of the previous one belong to one burst. */
const BURST_MS = 60_000;
/** A burst of at least this many becomes one group tile. */
const MIN_GROUP = 3;

export type Entry = { kind: 'alert'; alert: Alert } | { kind: 'group'; rule: Alert['rule']; alerts: Alert[] };

/** ISO times of one format compare as strings (not `localeCompare`: a collator, slow on a wall of 500). */
const earlier = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Open alerts before acknowledged ones, then by priority, then the longest waiting first. */
export function byUrgency(a: Alert, b: Alert): number {
  const rank = (x: Alert) => RANK[x.priority] * 2 + (x.status === 'open' ? 0 : 1);
  return rank(a) - rank(b) || earlier(a.raisedAt, b.raisedAt);
}

/**
 * The wall's tiles: a burst of one rule (a floor's smoke detectors, a switch's devices going offline) becomes one
 * group, placed where its most urgent member would be; alerts of other rules keep their own tiles, so a group
 * never hides a critical alert of another cause.
 */
export function entries(alerts: Iterable<Alert>): Entry[] {
  const sorted = [...alerts].sort(byUrgency);
  const bursts = new Map<string, Alert[][]>();
  for (const alert of [...sorted].sort((a, b) => earlier(a.raisedAt, b.raisedAt))) {
    const runs = bursts.get(alert.rule) ?? [];
    const last = runs.at(-1);
    if (last && Date.parse(alert.raisedAt) - Date.parse(last.at(-1)!.raisedAt) <= BURST_MS) last.push(alert);
    else runs.push([alert]);
    bursts.set(alert.rule, runs);
  }
  const groupOf = new Map<string, Alert[]>();
  for (const runs of bursts.values()) {
    for (const run of runs) if (run.length >= MIN_GROUP) for (const a of run) groupOf.set(a.id, run);
  }
  const out: Entry[] = [];
  const placed = new Set<Alert[]>();
  for (const alert of sorted) {
    const group = groupOf.get(alert.id);
    if (!group) out.push({ kind: 'alert', alert });
    else if (!placed.has(group)) {
      placed.add(group);
      out.push({ kind: 'group', rule: alert.rule, alerts: [...group].sort(byUrgency) });
    }
  }
  return out;
}
