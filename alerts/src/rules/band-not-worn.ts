import { formatDuration, intent, refsOf, subjects, type Refs } from './intent.js';
import { latchClear, latchRaise, newLatch, type Latch } from './health.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, Rule } from './types.js';

interface Band extends Latch {
  refs: Refs;
  /** Device time since which the band has been off (null while worn or unknown). */
  offSince: number | null;
  /** Device time of the newest `worn` value, so a late sample cannot reverse a newer one. */
  ts: number;
  afterMs: number;
  enabled: boolean;
}

export type BandState = Map<string, Band>;

function notWorn(band: Band, detail: string, occurredAt: number): AlertIntent[] {
  if (!latchRaise(band)) return [];
  const fields = { rule: 'band_not_worn' as const, subject: subjects.device(band.refs.device), occurredAt };
  return [intent(band.refs, { ...fields, action: 'raise', priority: 'warning', detail })];
}

const offTooLong = (band: Band, at: number) =>
  band.offSince !== null && at - band.offSince >= band.afterMs
    ? notWorn(band, `wristband not worn for ${formatDuration(band.afterMs)}`, band.offSince + band.afterMs)
    : [];

/**
 * band_not_worn: a wristband off the wrist (a `removed` event, or samples with `worn: false`) for
 * `bandNotWorn.afterMs` (30 min), judged on its samples' time and, when it falls silent, on the wall clock
 * (`tick`): a band taken off for a shower raises nothing. Warning, for the device (`device:<id>`, carrying the
 * resident). Cleared by a `worn: true` sample.
 */
export const bandNotWornRule: Rule<BandState, RuleSettings> = {
  name: 'band_not_worn',
  initialState: () => new Map(),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.bandNotWorn;
    if (ctx.device.kind !== 'wristband' || input.type === 'status') return [];
    let band = state.get(ctx.device.id);
    if (!band)
      state.set(
        ctx.device.id,
        (band = { ...newLatch(), refs: refsOf(ctx), offSince: null, ts: -Infinity, afterMs: 0, enabled: true }),
      );
    Object.assign(band, { refs: refsOf(ctx), afterMs: settings.afterMs, enabled: settings.enabled });
    if (!settings.enabled) return [];
    if (input.type === 'event') {
      if (input.event.type !== 'removed') return [];
      band.offSince = Math.min(band.offSince ?? Infinity, input.event.ts);
      return offTooLong(band, input.event.ts);
    }
    const { sample } = input;
    if (typeof sample.worn !== 'boolean' || sample.ts < band.ts) return [];
    band.ts = sample.ts;
    if (!sample.worn) {
      band.offSince ??= sample.ts;
      return offTooLong(band, sample.ts);
    }
    band.offSince = null;
    if (!latchClear(band)) return [];
    const fields = { rule: 'band_not_worn' as const, subject: subjects.device(ctx.device.id), occurredAt: sample.ts };
    return [intent(band.refs, { ...fields, action: 'clear', priority: 'warning', detail: 'wristband worn again' })];
  },
  tick(now, state) {
    return [...state.values()].flatMap((band) => (band.enabled ? offTooLong(band, now) : []));
  },
};
