import type {
  AlertPriority,
  AlertRule,
  CareLevel,
  DeviceEvent,
  DeviceKind,
  DeviceStatus,
  LocationKind,
  ReadingSample,
} from '@vigil/protocol';

/**
 * The contract between the rules (alerts/src/rules/<rule>.ts, one rule a file) and the engine that feeds
 * them. A rule is a pure function of (input, its own state, settings, clock): it may mutate the state object
 * it is given and must do nothing else (no I/O, no Date.now()).
 */

export interface DeviceInfo {
  id: string;
  facility: string;
  kind: DeviceKind;
  resident: string | null;
  location: string | null;
  expectedIntervalS: number;
}

export interface ResidentInfo {
  id: string;
  facility: string;
  careLevel: CareLevel;
  fallRisk: 'none' | 'at-risk' | 'high';
  wanderRisk: boolean;
  location: string | null;
}

export interface LocationInfo {
  id: string;
  kind: LocationKind;
}

export interface FacilityInfo {
  id: string;
  /** IANA zone: night windows are judged in it. */
  timezone: string;
}

/**
 * A validated device message as the rules see it. Times are epoch milliseconds of the device's clock. A reading is
 * one sample: the engine feeds a batch (PROTOCOL.md `samples`) to the rules sample by sample in device-time order,
 * so the same readings give the same alerts whatever the message boundaries (docs/rules.md "Time").
 */
export type RuleInput =
  | { type: 'reading'; seq: number; sample: ReadingSample }
  | { type: 'event'; event: DeviceEvent }
  | { type: 'status'; status: DeviceStatus; /** true when this is the device's Last Will */ will: boolean };

/** What the message is about, resolved by the engine from the registry. */
export interface RuleContext<Settings> {
  device: DeviceInfo;
  resident: ResidentInfo | null;
  location: LocationInfo | null;
  facility: FacilityInfo;
  /** Defaults merged with the facility's and the resident's overrides. */
  settings: Settings;
  /** Wall clock (epoch ms): only silence and escalation use it; windows use the message's own `ts`. */
  now: number;
}

/**
 * `raise`: open an alert for (rule, subject) or, if one is open, record that the condition was seen again (and take
 * the intent's priority and detail).
 * `update`: change the priority and detail of the open alert for (rule, subject), if there is one; never opens an
 * alert (e.g. an SOS cancelled by the resident within 30 s is downgraded to `high`, never re-opened).
 * `clear`: the condition is gone; the engine auto-clears only what docs/rules.md "Auto-clear" allows (high/warning, not acknowledged).
 */
export interface AlertIntent {
  action: 'raise' | 'update' | 'clear';
  rule: AlertRule;
  /** What the alert is about; one open alert per (facility, rule, subject). E.g. `resident:r12`, `device:sm-3`. */
  subject: string;
  priority: AlertPriority;
  /** Short reason for caregivers. Never contains vital-sign values beyond what the alert itself states. */
  detail: string;
  resident: string | null;
  device: string | null;
  location: string | null;
  /** Device time of the message that caused it (epoch ms). */
  occurredAt: number;
}

export interface Rule<State, Settings> {
  name: AlertRule;
  initialState(): State;
  /** Called for every validated message of every device. */
  evaluate(input: RuleInput, ctx: RuleContext<Settings>, state: State): AlertIntent[];
  /**
   * Called periodically on the wall clock (silence-based rules; deterioration, to stop waiting for a silent
   * device); optional. Its intents always carry `device`
   * (the engine finds the facility from it).
   */
  tick?(now: number, state: State): AlertIntent[];
  /**
   * Optional, for rules that must know the registered devices: the engine calls it once per registered device at
   * start (and for a device registered later), with the device's last known message time (`devices.last_seen_at`,
   * epoch ms; null if never seen), so a device silent since before a restart is still noticed by `tick`, and
   * deterioration knows which devices of a resident to wait for. Never returns intents.
   */
  prime?(ctx: RuleContext<Settings>, lastSeenAt: number | null, state: State): void;
}
