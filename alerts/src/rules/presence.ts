import { numberField } from './intent.js';
import type { RuleContext, RuleInput } from './types.js';

/**
 * What a facility's bed mats and motion sensors last said, in device time: the context the fall and wandering rules
 * confirm their alerts with (docs/rules.md "Multi-sensor confirmation"). Each of those rules keeps its own copy,
 * fed every message; only bed mats with a resident and motion sensors with a place cost more than a type check.
 */
export interface Bed {
  occupied: boolean;
  /** Device time of the newest occupancy report: a late, older one changes nothing. */
  ts: number;
  /** Device time the resident last left the bed (null: in bed since). */
  leftAt: number | null;
  wanderRisk: boolean;
}

export interface Presence {
  /** By resident id. */
  beds: Map<string, Bed>;
  /** By location id: device time of the newest motion, -Infinity for a motion sensor that has seen none yet. */
  motion: Map<string, number>;
}

export const presence = (): Presence => ({ beds: new Map(), motion: new Map() });

function occupancy(input: RuleInput): boolean | undefined {
  if (input.type === 'event') {
    if (input.event.type === 'bed_exit') return false;
    if (input.event.type === 'bed_enter') return true;
    return undefined;
  }
  if (input.type !== 'reading') return undefined;
  const { occupied } = input.sample;
  return typeof occupied === 'boolean' ? occupied : undefined;
}

/** Device time of an input (a status has none of its own). */
export function inputTs(input: RuleInput): number | undefined {
  return input.type === 'event' ? input.event.ts : input.type === 'reading' ? input.sample.ts : input.status.ts;
}

/** Notes what a bed mat or motion sensor says; anything else is ignored. */
export function observePresence(state: Presence, input: RuleInput, ctx: RuleContext<unknown>): void {
  const { kind, resident: owner } = ctx.device;
  const ts = inputTs(input);
  if (ts === undefined) return;
  if (kind === 'bedmat' && owner) {
    const occupied = occupancy(input);
    if (occupied === undefined) return;
    const bed = state.beds.get(owner);
    const wanderRisk = ctx.resident?.wanderRisk ?? false;
    // A bed first seen empty says nothing of when it was left; the mat's own bed_exit does.
    const leftAt = !occupied && input.type === 'event' ? ts : null;
    if (!bed) return void state.beds.set(owner, { occupied, ts, leftAt, wanderRisk });
    if (ts < bed.ts) return;
    if (!occupied && bed.occupied) bed.leftAt = ts;
    if (occupied) bed.leftAt = null;
    bed.occupied = occupied;
    bed.ts = ts;
    bed.wanderRisk = wanderRisk;
  } else if (kind === 'pir' && ctx.location) {
    const moved =
      input.type === 'event'
        ? input.event.type === 'motion'
        : input.type === 'reading' && (numberField(input.sample, 'motion') ?? 0) > 0;
    const last = state.motion.get(ctx.location.id) ?? -Infinity;
    state.motion.set(ctx.location.id, moved ? Math.max(last, ts) : last);
  }
}
