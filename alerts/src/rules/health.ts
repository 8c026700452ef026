import type { AlertPriority } from '@vigil/protocol';
import type { RuleContext } from './types.js';

/**
 * Whether a condition's alert is raised, for rules that raise once per episode. A latch starts as "may be open":
 * after a restart an alert may be open from before, so the first sign that the condition is gone clears it (the
 * engine ignores a clear with no open alert).
 */
export interface Latch {
  raised: boolean;
  mayBeOpen: boolean;
}

export const newLatch = (): Latch => ({ raised: false, mayBeOpen: true });

/** True if this is the episode's first raise. */
export function latchRaise(latch: Latch): boolean {
  if (latch.raised) return false;
  latch.raised = true;
  latch.mayBeOpen = true;
  return true;
}

/** True if a clear should be sent. */
export function latchClear(latch: Latch): boolean {
  if (!latch.raised && !latch.mayBeOpen) return false;
  latch.raised = false;
  latch.mayBeOpen = false;
  return true;
}

/**
 * Priority of a device-health alert (offline, low battery): warning, but high for smoke and gas detectors and for
 * the bed mat of a fully dependent resident, whose silence leaves a life-safety gap (docs/rules.md "Rules").
 */
export function deviceHealthPriority(ctx: Pick<RuleContext<unknown>, 'device' | 'resident'>): AlertPriority {
  const { kind } = ctx.device;
  if (kind === 'smoke' || kind === 'gas') return 'high';
  if (kind === 'bedmat' && ctx.resident?.careLevel === 'fully-dependent') return 'high';
  return 'warning';
}
