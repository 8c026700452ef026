import type { DeviceEvent, DeviceKind, DeviceStatus, ReadingSample } from '@vigil/protocol';
import { toRuleInputs } from '../engine.js';
import { DEFAULT_SETTINGS, mergeSettings, type RuleOverrides, type RuleSettings } from './settings.js';
import type { AlertIntent, DeviceInfo, LocationInfo, ResidentInfo, Rule, RuleContext, RuleInput } from './types.js';

/** Builders for the rules' unit tests (not used by the engine). */

export const T0 = Date.parse('2026-11-23T10:00:00Z');

export interface ContextOptions {
  kind: DeviceKind;
  device?: Partial<DeviceInfo>;
  resident?: Partial<ResidentInfo> | null;
  location?: LocationInfo | null;
  timezone?: string;
  overrides?: RuleOverrides;
  now?: number;
}

export function context(options: ContextOptions): RuleContext<RuleSettings> {
  const resident =
    options.resident === null
      ? null
      : {
          id: 'r1',
          facility: 'f1',
          careLevel: 'semi-dependent' as const,
          fallRisk: 'none' as const,
          wanderRisk: false,
          location: 'room1',
          ...options.resident,
        };
  return {
    device: {
      id: 'd1',
      facility: 'f1',
      kind: options.kind,
      resident: resident?.id ?? null,
      location: null,
      expectedIntervalS: 10,
      ...options.device,
    },
    resident,
    location: options.location === undefined ? { id: 'room1', kind: 'room' } : options.location,
    facility: { id: 'f1', timezone: options.timezone ?? 'Europe/Berlin' },
    settings: mergeSettings(DEFAULT_SETTINGS, options.overrides ?? {}),
    now: options.now ?? T0,
  };
}

export function event(type: DeviceEvent['type'], ts: number, extra: Partial<DeviceEvent> = {}): RuleInput {
  return { type: 'event', event: { seq: 1, ts, type, ...extra } };
}

export function reading(sample: ReadingSample): RuleInput {
  return { type: 'reading', seq: 1, sample };
}

export function status(value: DeviceStatus, will = false): RuleInput {
  return { type: 'status', status: value, will };
}

/** Runs inputs through one rule with one state; returns every intent, in order. */
export function run<S>(
  rule: Rule<S, RuleSettings>,
  steps: Array<[RuleInput, RuleContext<RuleSettings>]>,
  state = rule.initialState(),
): AlertIntent[] {
  return steps.flatMap(([input, ctx]) => rule.evaluate(input, { ...ctx, now: ctx.now }, state));
}

/** `action priority subject` of each intent: compact to compare in tables. */
export function summary(intents: AlertIntent[]): string[] {
  return intents.map((i) => `${i.action} ${i.priority} ${i.subject}`);
}

/** One batched upload as the engine feeds it to the rules: one input per sample, in device-time order. */
export function batch(samples: ReadingSample[]): RuleInput[] {
  return toRuleInputs({ kind: 'reading', seq: 1, samples });
}

/** A resident's fall as a rule would raise it (the alert book's unit tests); override what matters. */
export function fallIntent(occurredAt: number, overrides: Partial<AlertIntent> = {}): AlertIntent {
  return {
    action: 'raise',
    rule: 'fall',
    subject: 'resident:r1',
    priority: 'critical',
    detail: 'fall detected',
    resident: 'r1',
    device: 'wb-1',
    location: 'room-1',
    occurredAt,
    ...overrides,
  };
}
