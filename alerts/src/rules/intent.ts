import type { AlertPriority, AlertRule } from '@vigil/protocol';
import type { AlertIntent, RuleContext } from './types.js';

/**
 * Subjects (one open alert per facility, rule and subject) are built only here, so they stay stable:
 * `resident:<id>` for a person's condition, `resident:<id>:<sign>` for one vital sign, `location:<id>` for a place,
 * `device:<id>` for a device's own condition (and for a person's condition when the device has no resident),
 * `facility` for the facility as a whole.
 */
export const subjects = {
  resident: (id: string) => `resident:${id}`,
  location: (id: string) => `location:${id}`,
  device: (id: string) => `device:${id}`,
  /** The facility as a whole (connectivity): one open alert per facility. */
  facility: 'facility',
  /** A notification endpoint of the dispatch service (docs/homecare.md). */
  channel: (endpoint: number) => `channel:${endpoint}`,
};

/** The ids an intent carries; kept in rule state by the tick-based rules, which get no context. */
export interface Refs {
  resident: string | null;
  device: string;
  location: string | null;
}

export function refsOf(ctx: RuleContext<unknown>): Refs {
  return {
    resident: ctx.device.resident ?? ctx.resident?.id ?? null,
    device: ctx.device.id,
    location: ctx.location?.id ?? null,
  };
}

/** The person a worn or bed device measures, else the device itself. */
export function personSubject(refs: Refs): string {
  return refs.resident ? subjects.resident(refs.resident) : subjects.device(refs.device);
}

/** The place of a fixed device, else the device itself. */
export function placeSubject(refs: Refs): string {
  return refs.location ? subjects.location(refs.location) : subjects.device(refs.device);
}

export interface IntentFields {
  action: AlertIntent['action'];
  rule: AlertRule;
  subject: string;
  priority: AlertPriority;
  detail: string;
  occurredAt: number;
}

export function intent(refs: Refs, fields: IntentFields): AlertIntent {
  return { ...fields, resident: refs.resident, device: refs.device, location: refs.location };
}

const RANK: Record<AlertPriority, number> = { info: 1, warning: 2, high: 3, critical: 4 };

/** Higher of two priorities; null is below every priority. */
export function maxPriority(a: AlertPriority | null, b: AlertPriority | null): AlertPriority | null {
  if (a === null) return b;
  if (b === null) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

export function isHigher(a: AlertPriority | null, than: AlertPriority | null): boolean {
  return a !== null && (than === null || RANK[a] > RANK[than]);
}

/** `60 s`, `10 min`, `12 h`, `90 min`: durations as caregivers read them. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 60_000) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** Numeric field of a sample, if present. */
export function numberField(sample: Record<string, unknown>, field: string): number | undefined {
  const value = sample[field];
  return typeof value === 'number' ? value : undefined;
}

/** Boolean field of a sample, if present. */
export function booleanField(sample: Record<string, unknown>, field: string): boolean | undefined {
  const value = sample[field];
  return typeof value === 'boolean' ? value : undefined;
}

/** Whether a sample was taken during movement (its `motion` activity at least `atLeast`); no `motion`: at rest. */
export function takenMoving(sample: Record<string, unknown>, atLeast: number): boolean {
  const motion = sample.motion;
  return typeof motion === 'number' && motion >= atLeast;
}
