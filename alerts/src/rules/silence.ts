import type { AlertPriority } from '@vigil/protocol';
import { formatDuration, refsOf, type Refs } from './intent.js';
import { deviceHealthPriority, latchClear, latchRaise, newLatch, type Latch } from './health.js';
import type { RuleSettings } from './settings.js';
import type { Rule, RuleContext, RuleInput } from './types.js';

/**
 * Which devices of a facility are silent, and whether they went silent together: the shared bookkeeping of
 * device_offline (one alert per device) and connectivity (one alert for many devices at once). Both rules keep a
 * copy of this state, fed the same inputs, ticks and primes, and take the same decisions from it (`survey`), so
 * a device counted in a connectivity alert never raises on its own as well. All on the wall clock: silence is
 * the absence of messages (docs/rules.md "Time").
 */

interface Watched {
  /** The context the fields below were taken from: the same object until the registry reloads. */
  ctx: RuleContext<RuleSettings> | null;
  refs: Refs;
  /** Wall clock (engine receive time) of the device's last message. */
  lastSeen: number;
  /** Silence allowed: the facility's factor × the device's expected interval. */
  limitMs: number;
  /** Wall clock of a Last Will or `{"online":false}` not followed by any message yet. */
  wentAt: number | null;
  /** What the Last Will or status said, for the alert. */
  wentDetail: string;
  graceMs: number;
  enabled: boolean;
  priority: AlertPriority;
  /** The device's own device_offline alert. */
  alone: Latch;
}

interface Grouping {
  enabled: boolean;
  minDevices: number;
  windowMs: number;
  /** `deviceOffline.willGraceMs`: after a start, a device down all along may take this long to count as down. */
  graceMs: number;
}

export interface SilenceState {
  devices: Map<string, Watched>;
  grouping: Grouping;
  /** The facility's connectivity alert: the count it last reported, and the device it names (the first down). */
  group: Latch & { count: number; refs: Refs | null };
  /** Wall clock of the first tick. */
  firstTick: number | null;
}

export function silenceState(): SilenceState {
  return {
    devices: new Map(),
    grouping: { enabled: false, minDevices: Infinity, windowMs: 0, graceMs: 0 },
    group: { ...newLatch(), count: 0, refs: null },
    firstTick: null,
  };
}

/** The device's watch, created or brought up to date (in place: this runs for every message of every device). */
function watch(state: SilenceState, ctx: RuleContext<RuleSettings>, lastSeen: number): Watched {
  const settings = ctx.settings.deviceOffline;
  let watched = state.devices.get(ctx.device.id);
  if (!watched) {
    const fresh: Watched = {
      ctx: null,
      refs: refsOf(ctx),
      lastSeen,
      limitMs: 0,
      wentAt: null,
      wentDetail: '',
      graceMs: 0,
      enabled: true,
      priority: 'warning',
      alone: newLatch(),
    };
    state.devices.set(ctx.device.id, (watched = fresh));
  }
  watched.lastSeen = Math.max(lastSeen, watched.lastSeen);
  // In place, and only after a registry reload: this runs for every message of every device, in two rules.
  if (watched.ctx === ctx) return watched;
  watched.ctx = ctx;
  watched.refs = refsOf(ctx);
  watched.limitMs = settings.silenceFactor * ctx.device.expectedIntervalS * 1000;
  watched.graceMs = settings.willGraceMs;
  watched.enabled = settings.enabled;
  watched.priority = deviceHealthPriority(ctx);
  const { connectivity } = ctx.settings;
  state.grouping.enabled = connectivity.enabled;
  state.grouping.minDevices = connectivity.minDevices;
  state.grouping.windowMs = connectivity.windowMs;
  state.grouping.graceMs = settings.willGraceMs;
  return watched;
}

/** What both silence rules share of the Rule contract: their state and its priming at start. */
export const silenceBase: Pick<Rule<SilenceState, RuleSettings>, 'initialState' | 'prime'> = {
  initialState: silenceState,
  prime(ctx, lastSeenAt, state) {
    // A device last heard long ago is found silent at the first tick; one never heard gets a full allowance from now.
    watch(state, ctx, lastSeenAt ?? ctx.now);
  },
};

/**
 * Notes a message. A Last Will or `{"online":false}` starts the grace; anything else is the device heard from.
 * Returns the device's watch when this message ends its own device_offline alert (or one from before a restart).
 */
export function observeSilence(
  state: SilenceState,
  input: RuleInput,
  ctx: RuleContext<RuleSettings>,
): { refs: Refs; priority: AlertPriority } | null {
  if (input.type === 'status' && (input.will || !input.status.online)) {
    const watched = watch(state, ctx, -Infinity);
    watched.wentAt ??= ctx.now;
    watched.wentDetail = input.will ? 'device offline (connection lost)' : 'device reported going offline';
    return null;
  }
  const watched = watch(state, ctx, ctx.now);
  watched.wentAt = null;
  return latchClear(watched.alone) ? watched : null;
}

function anyRefs(state: SilenceState): Refs | null {
  const watched = state.devices.values().next().value;
  return watched ? { resident: null, device: watched.refs.device, location: null } : null;
}

/** When the device counts as down (wall clock), or null: its Last Will plus the grace, or its allowance of silence. */
function downAt(watched: Watched, now: number): number | null {
  if (watched.wentAt !== null) return now >= watched.wentAt + watched.graceMs ? watched.wentAt + watched.graceMs : null;
  return now - watched.lastSeen > watched.limitMs ? watched.lastSeen + watched.limitMs : null;
}

export interface Alone {
  refs: Refs;
  priority: AlertPriority;
  detail: string;
  occurredAt: number;
}

export interface Survey {
  /** Devices to raise device_offline for, once each. */
  alone: Alone[];
  /** What the connectivity alert should do now. */
  group: { action: 'raise'; count: number; refs: Refs; occurredAt: number } | { action: 'clear'; refs: Refs } | null;
}

/**
 * The tick's decisions. Devices down but not alerted on their own are held: at least `connectivity.minDevices` of
 * them make (or keep) one connectivity alert with their count; otherwise each raises device_offline once it has
 * been down `connectivity.windowMs`, the time others get to join it. A connectivity alert clears when fewer than
 * `minDevices` are still held; those left then raise on their own.
 */
export function survey(state: SilenceState, now: number): Survey {
  const held: Array<{ watched: Watched; at: number }> = [];
  for (const watched of state.devices.values()) {
    if (!watched.enabled || watched.alone.raised) continue;
    const at = downAt(watched, now);
    if (at !== null) held.push({ watched, at });
  }
  const { grouping, group } = state;
  const out: Survey = { alone: [], group: null };
  const grouped = grouping.enabled && held.length >= grouping.minDevices;
  if (grouped && (latchRaise(group) || group.count !== held.length)) {
    const first = held.reduce((a, b) => (b.at < a.at ? b : a));
    group.refs = { resident: null, device: first.watched.refs.device, location: null };
    group.count = held.length;
    out.group = { action: 'raise', count: held.length, refs: group.refs, occurredAt: first.at };
  } else if (!grouped) {
    // Restart-safe (types.ts contract): a connectivity alert from before the start is cleared once the devices
    // down since then have had their grace and window to be found down again.
    state.firstTick ??= now;
    const settled = group.raised || now >= state.firstTick + grouping.graceMs + grouping.windowMs;
    const refs = group.refs ?? anyRefs(state);
    if (refs && settled && latchClear(group)) out.group = { action: 'clear', refs };
    group.count = 0;
  }
  if (grouped) return out;
  const holdMs = grouping.enabled ? grouping.windowMs : 0;
  for (const { watched, at } of held) {
    if (now < at + holdMs || !latchRaise(watched.alone)) continue;
    const detail =
      watched.wentAt !== null ? watched.wentDetail : `no message for more than ${formatDuration(watched.limitMs)}`;
    out.alone.push({ refs: watched.refs, priority: watched.priority, detail, occurredAt: at });
  }
  return out;
}
