import { intent, numberField, refsOf, subjects } from './intent.js';
import { deviceHealthPriority, latchClear, latchRaise, newLatch, type Latch } from './health.js';
import type { RuleSettings } from './settings.js';
import type { Rule } from './types.js';

interface Battery extends Latch {
  /** Device time of the newest battery value: older values arriving late do not count. */
  ts: number;
}

export type BatteryState = Map<string, Battery>;

/**
 * low_battery: a battery value (in a reading or a status) below `lowBattery.belowPct` (15 %) raises, once, for the
 * device (`device:<id>`): warning, high for smoke and gas detectors and a fully dependent resident's bed mat. It
 * clears at `lowBattery.clearAtPct` (20 %) or more, so a value wavering around the threshold does not flap.
 */
export const lowBatteryRule: Rule<BatteryState, RuleSettings> = {
  name: 'low_battery',
  initialState: () => new Map(),
  evaluate(input, ctx, state) {
    const settings = ctx.settings.lowBattery;
    if (!settings.enabled) return [];
    const reading =
      input.type === 'reading'
        ? { ts: input.sample.ts, pct: numberField(input.sample, 'battery') }
        : input.type === 'status'
          ? { ts: input.status.ts ?? ctx.now, pct: input.status.battery }
          : null;
    if (reading?.pct === undefined) return [];
    let battery = state.get(ctx.device.id);
    if (!battery) state.set(ctx.device.id, (battery = { ...newLatch(), ts: -Infinity }));
    if (reading.ts < battery.ts) return [];
    battery.ts = reading.ts;
    const refs = refsOf(ctx);
    const base = { rule: 'low_battery' as const, subject: subjects.device(ctx.device.id), occurredAt: reading.ts };
    const priority = deviceHealthPriority(ctx);
    if (reading.pct < settings.belowPct && latchRaise(battery)) {
      return [intent(refs, { ...base, action: 'raise', priority, detail: `battery below ${settings.belowPct} %` })];
    }
    if (reading.pct >= settings.clearAtPct && latchClear(battery)) {
      return [intent(refs, { ...base, action: 'clear', priority, detail: 'battery replaced or recharged' })];
    }
    return [];
  },
};
