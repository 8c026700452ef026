import { inClockWindow, type ClockWindow } from '@vigil/protocol';
import { formatDuration, intent, numberField, refsOf, subjects, type Refs } from './intent.js';
import { latchClear, latchRaise, newLatch, type Latch } from './health.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, Rule, RuleContext } from './types.js';

interface Dwelling extends Latch {
  /** The motion sensor that last reported: tick intents need a device. */
  refs: Refs;
  /** Device time of the latest motion (or of the first message, until motion is seen). */
  lastMotion: number;
  /** Wall clock of the latest message from a sensor of the dwelling (a Last Will does not count). */
  heardAt: number;
  /** Device time of that message: the silence is known up to here, so it is judged in event time. */
  heardTs: number;
  /** A sensor silent longer than this (device_offline's allowance) says nothing about motion. */
  allowanceMs: number;
  silenceMs: number;
  enabled: boolean;
  night: ClockWindow;
  timezone: string;
}

export type InactivityState = Map<string, Dwelling>;

function dwellingOf(state: InactivityState, ctx: RuleContext<RuleSettings>, seenAt: number): Dwelling | null {
  const location = ctx.location;
  if (ctx.device.kind !== 'pir' || location?.kind !== 'dwelling') return null;
  const known = state.get(location.id);
  const dwelling: Dwelling = {
    ...(known ?? newLatch()),
    refs: refsOf(ctx),
    lastMotion: known?.lastMotion ?? seenAt,
    heardAt: known?.heardAt ?? seenAt,
    heardTs: known?.heardTs ?? seenAt,
    allowanceMs: ctx.settings.deviceOffline.silenceFactor * ctx.device.expectedIntervalS * 1000,
    ...ctx.settings.inactivity,
    night: ctx.settings.night,
    timezone: ctx.facility.timezone,
  };
  state.set(location.id, dwelling);
  return dwelling;
}

/**
 * inactivity: no motion from the motion sensors (PIR) of a home-care `dwelling` for `inactivity.silenceMs` (12 h),
 * checked on the wall clock (`tick`) and raised only by day (outside the night window, in the facility's time
 * zone): a resident asleep is no alarm, one not up by morning is. Warning, for the dwelling (`location:<id>`).
 * Cleared by the next motion. At start the engine primes each sensor with its last message time.
 */
export const inactivityRule: Rule<InactivityState, RuleSettings> = {
  name: 'inactivity',
  initialState: () => new Map(),
  prime(ctx, lastSeenAt, state) {
    dwellingOf(state, ctx, lastSeenAt ?? ctx.now);
  },
  evaluate(input, ctx, state) {
    const ts =
      input.type === 'event'
        ? input.event.ts
        : input.type === 'reading'
          ? input.sample.ts
          : (input.status.ts ?? ctx.now);
    const dwelling = dwellingOf(state, ctx, ts);
    if (!dwelling) return [];
    const heard = input.type !== 'status' || (!input.will && input.status.online);
    if (heard) {
      dwelling.heardAt = Math.max(dwelling.heardAt, ctx.now);
      dwelling.heardTs = Math.max(dwelling.heardTs, ts);
    }
    if (input.type === 'status') return [];
    const moved =
      input.type === 'event' ? input.event.type === 'motion' : (numberField(input.sample, 'motion') ?? 0) > 0;
    if (!moved) return [];
    dwelling.lastMotion = Math.max(dwelling.lastMotion, ts);
    if (!latchClear(dwelling)) return [];
    const subject = subjects.location(ctx.location!.id);
    const fields = { rule: 'inactivity' as const, subject, occurredAt: ts };
    return [intent(dwelling.refs, { ...fields, action: 'clear', priority: 'warning', detail: 'movement again' })];
  },
  tick(now, state) {
    const intents: AlertIntent[] = [];
    for (const [location, dwelling] of state) {
      // Judged up to the sensor's newest message (event time), so a backlog arriving late is judged as it happened.
      const upTo = dwelling.heardTs;
      if (!dwelling.enabled || upTo - dwelling.lastMotion < dwelling.silenceMs) continue;
      // The sensor itself is silent (an outage: device_offline's alert): its motion is unknown, not absent.
      if (now - dwelling.heardAt > dwelling.allowanceMs) continue;
      if (inClockWindow(upTo, dwelling.timezone, dwelling.night) || !latchRaise(dwelling)) continue;
      const fields = {
        rule: 'inactivity' as const,
        subject: subjects.location(location),
        priority: 'warning' as const,
      };
      const detail = `no movement in the home for ${formatDuration(dwelling.silenceMs)}`;
      intents.push(
        intent(dwelling.refs, {
          ...fields,
          action: 'raise',
          detail,
          occurredAt: dwelling.lastMotion + dwelling.silenceMs,
        }),
      );
    }
    return intents;
  },
};
