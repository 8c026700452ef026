import type { AlertPriority } from '@vigil/protocol';
import { formatDuration, intent, refsOf, subjects, type Refs } from './intent.js';
import { deviceHealthPriority, latchClear, latchRaise, newLatch, type Latch } from './health.js';
import type { RuleSettings } from './settings.js';
import type { AlertIntent, Rule, RuleContext } from './types.js';

interface Watched extends Latch {
  refs: Refs;
  /** Wall clock (engine receive time) of the device's last message. */
  lastSeen: number;
  /** Silence allowed: the facility's factor × the device's expected interval. */
  limitMs: number;
  enabled: boolean;
  priority: AlertPriority;
}

export type OfflineState = Map<string, Watched>;

/** The device's watch, created or brought up to date (in place: this runs for every message of every device). */
function watch(state: OfflineState, ctx: RuleContext<RuleSettings>, lastSeen: number): Watched {
  const settings = ctx.settings.deviceOffline;
  let watched = state.get(ctx.device.id);
  if (!watched) {
    const fresh = {
      ...newLatch(),
      refs: refsOf(ctx),
      lastSeen,
      limitMs: 0,
      enabled: true,
      priority: 'warning' as const,
    };
    state.set(ctx.device.id, (watched = fresh));
  }
  watched.refs = refsOf(ctx);
  watched.lastSeen = Math.max(lastSeen, watched.lastSeen);
  watched.limitMs = settings.silenceFactor * ctx.device.expectedIntervalS * 1000;
  watched.enabled = settings.enabled;
  watched.priority = deviceHealthPriority(ctx);
  return watched;
}

function offline(watched: Watched, detail: string, occurredAt: number): AlertIntent {
  const fields = { rule: 'device_offline' as const, subject: subjects.device(watched.refs.device), occurredAt };
  return intent(watched.refs, { ...fields, action: 'raise', priority: watched.priority, detail });
}

/**
 * device_offline: no message from a device for `deviceOffline.silenceFactor` (3) × its expected interval, on the
 * wall clock (`tick`), or its Last Will / a status `{"online":false}` (at once). Warning; high for smoke and gas
 * detectors and the bed mat of a fully dependent resident. Subject `device:<id>`. Cleared by the device's next
 * message of any kind. The engine primes every registered device at start so one silent since before a restart
 * is noticed too.
 */
export const deviceOfflineRule: Rule<OfflineState, RuleSettings> = {
  name: 'device_offline',
  initialState: () => new Map(),
  prime(ctx, lastSeenAt, state) {
    // A device last heard long ago is flagged at the first tick; one never heard gets a full allowance from now.
    watch(state, ctx, lastSeenAt ?? ctx.now);
  },
  evaluate(input, ctx, state) {
    if (input.type === 'status' && (input.will || !input.status.online)) {
      const watched = watch(state, ctx, -Infinity);
      if (!watched.enabled || !latchRaise(watched)) return [];
      const detail = input.will ? 'device offline (connection lost)' : 'device reported going offline';
      return [offline(watched, detail, input.status.ts ?? ctx.now)];
    }
    const watched = watch(state, ctx, ctx.now);
    if (!latchClear(watched)) return [];
    const at = input.type === 'event' ? input.event.ts : input.type === 'reading' ? input.sample.ts : ctx.now;
    const fields = { rule: 'device_offline' as const, subject: subjects.device(ctx.device.id), occurredAt: at };
    return [
      intent(watched.refs, { ...fields, action: 'clear', priority: watched.priority, detail: 'device back online' }),
    ];
  },
  tick(now, state) {
    const intents: AlertIntent[] = [];
    for (const watched of state.values()) {
      if (!watched.enabled || now - watched.lastSeen <= watched.limitMs || !latchRaise(watched)) continue;
      const detail = `no message for more than ${formatDuration(watched.limitMs)}`;
      intents.push(offline(watched, detail, watched.lastSeen + watched.limitMs));
    }
    return intents;
  },
};
