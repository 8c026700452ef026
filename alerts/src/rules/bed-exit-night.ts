import { inClockWindow } from '@vigil/protocol';
import { formatDuration, intent, personSubject, refsOf, type Refs } from './intent.js';
import { latchClear, latchRaise, newLatch, type Latch } from './health.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, Rule, RuleContext } from './types.js';

interface Bed extends Latch {
  refs: Refs;
  occupied: boolean | undefined;
  /** Device time the resident left the bed during the night window (null: in bed, or left by day). */
  exitAt: number | null;
  /** Device time of the newest occupancy change, so a late one cannot reverse a newer one. */
  ts: number;
  /** How long the bed must stay empty before this exit raises: `afterMs`, or `confirmMs` at high fall risk. */
  waitMs: number;
  detail: string;
  /**
   * The mat's expected interval. The tick waits two: the mat's first sample past the limit may be taken one interval
   * later and held back by a batching mat one more, and it may say "back in bed".
   */
  intervalMs: number;
  afterMs: number;
  confirmMs: number;
  enabled: boolean;
}

export type BedState = Map<string, Bed>;

function raise(bed: Bed, detail: string, occurredAt: number): AlertIntent[] {
  if (!latchRaise(bed)) return [];
  const fields = { rule: 'bed_exit_night' as const, subject: personSubject(bed.refs), occurredAt };
  return [intent(bed.refs, { ...fields, action: 'raise', priority: 'high', detail })];
}

const outTooLong = (bed: Bed, at: number) =>
  bed.exitAt !== null && at - bed.exitAt > bed.waitMs ? raise(bed, bed.detail, bed.exitAt + bed.waitMs) : [];

function bedOf(state: BedState, ctx: RuleContext<RuleSettings>): Bed {
  let bed = state.get(ctx.device.id);
  if (!bed) {
    bed = {
      ...newLatch(),
      refs: refsOf(ctx),
      occupied: undefined,
      exitAt: null,
      ts: -Infinity,
      waitMs: 0,
      detail: '',
      intervalMs: 0,
      afterMs: 0,
      confirmMs: 0,
      enabled: true,
    };
    state.set(ctx.device.id, bed);
  }
  const intervalMs = ctx.device.expectedIntervalS * 1000;
  return Object.assign(bed, { refs: refsOf(ctx), intervalMs, ...ctx.settings.bedExitNight });
}

/**
 * bed_exit_night: a resident at fall risk leaves the bed (a bed mat's `bed_exit` event, or `occupied` going from
 * true to false) in the night window (`night.start`–`night.end`, 22:00–06:00 in the facility's time zone, judged on
 * the device's time) and stays out more than `bedExitNight.afterMs` (10 min), or more than `confirmMs` (15 s) for a
 * resident at high fall risk (a restless sleeper's mat reads empty for a sample). Judged on the mat's later reports
 * in device time, and on the wall clock (`tick`) once the mat has had two expected intervals more to say otherwise,
 * so a batching mat gives the same alerts. High, for the resident. Leaving the bed by day is not tracked. Cleared
 * when the resident is back in bed (auto-clears if nobody acknowledged).
 */
export const bedExitNightRule: Rule<BedState, RuleSettings> = {
  name: 'bed_exit_night',
  initialState: () => new Map(),
  evaluate(input, ctx, state) {
    const fallRisk = ctx.resident?.fallRisk ?? 'none';
    if (ctx.device.kind !== 'bedmat' || fallRisk === 'none' || input.type === 'status') return [];
    const bed = bedOf(state, ctx);
    if (!bed.enabled) return [];
    const changes: Array<{ ts: number; occupied: boolean }> =
      input.type === 'event'
        ? input.event.type === 'bed_exit' || input.event.type === 'bed_enter'
          ? [{ ts: input.event.ts, occupied: input.event.type === 'bed_enter' }]
          : []
        : typeof input.sample.occupied === 'boolean'
          ? [{ ts: input.sample.ts, occupied: input.sample.occupied }]
          : [];
    const intents: AlertIntent[] = [];
    for (const change of changes) {
      if (change.ts < bed.ts) continue;
      bed.ts = change.ts;
      const wasOccupied = bed.occupied;
      bed.occupied = change.occupied;
      if (change.occupied) {
        bed.exitAt = null;
        if (latchClear(bed)) {
          const fields = { rule: 'bed_exit_night' as const, subject: personSubject(bed.refs), occurredAt: change.ts };
          intents.push(intent(bed.refs, { ...fields, action: 'clear', priority: 'high', detail: 'back in bed' }));
        }
      } else if (bed.exitAt === null && (input.type === 'event' ? wasOccupied !== false : wasOccupied === true)) {
        // A reading only shows an exit when the bed was seen occupied before; the mat's own event says so itself.
        intents.push(...exited(bed, ctx, change.ts, fallRisk));
      }
    }
    const newest = input.type === 'event' ? input.event.ts : input.sample.ts;
    return [...intents, ...outTooLong(bed, newest)];
  },
  tick(now, state) {
    return [...state.values()].flatMap((bed) => (bed.enabled ? outTooLong(bed, now - 2 * bed.intervalMs) : []));
  },
};

/** Notes a night-time exit and how long it may last before it raises (a wait of 0: at once). */
function exited(bed: Bed, ctx: RuleContext<RuleSettings>, ts: number, fallRisk: 'at-risk' | 'high'): AlertIntent[] {
  if (!inClockWindow(ts, ctx.facility.timezone, ctx.settings.night)) return [];
  bed.exitAt = ts;
  const high = fallRisk === 'high';
  bed.waitMs = high ? bed.confirmMs : bed.afterMs;
  bed.detail = high
    ? 'resident at high fall risk left the bed at night'
    : `out of bed at night for more than ${formatDuration(bed.afterMs)}`;
  return bed.waitMs === 0 ? raise(bed, bed.detail, ts) : [];
}
