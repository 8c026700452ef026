import type { Pool } from '@vigil/core';
import { readScopeDirectory, type Principal, type TokenRole } from '@vigil/store';
import type { Alert } from '@vigil/protocol';
import { Forbidden, NotFound } from './errors.js';

/**
 * A cache of what scoping and pseudonymisation need on the hot path (every stream event): the region of each
 * facility and the pseudonym of each resident. Loaded at start; a facility not seen yet is loaded on demand.
 */
export class Directory {
  private readonly regions = new Map<string, string>();
  private readonly pseudonyms = new Map<string, string>();

  constructor(private readonly db: Pool) {}

  /** Loads every facility, or only the given ones, with their residents' pseudonyms. */
  async load(facilities: string[] | null = null): Promise<void> {
    const { regions, pseudonyms } = await readScopeDirectory(this.db, facilities);
    for (const row of regions) this.regions.set(row.id, row.region);
    for (const row of pseudonyms) this.pseudonyms.set(key(row.facility, row.id), row.pseudonym);
  }

  /** Makes sure a facility and one of its residents are known; reloads the facility when either is missing. */
  async ensure(facility: string, resident: string | null): Promise<void> {
    if (this.regions.has(facility) && (resident === null || this.pseudonyms.has(key(facility, resident)))) return;
    await this.load([facility]);
  }

  regionOf(facility: string): string | undefined {
    return this.regions.get(facility);
  }

  pseudonymOf(facility: string, resident: string): string | undefined {
    return this.pseudonyms.get(key(facility, resident));
  }
}

const key = (facility: string, resident: string) => `${facility}\u0000${resident}`;

/**
 * What a request does, for the role check: docs/api.md "Authentication, roles and scope". Every /api/v1 route
 * declares one as `config.action`; the api refuses to start with a route without.
 */
export const ACTIONS = [
  'session',
  'facilities',
  'residents',
  'devices',
  'alerts',
  'timeline',
  'reports',
  'respond',
  'drill',
  'stream',
  'vitals',
  'provision',
  'manage',
  'assign',
  'privacy',
  'retention',
  'audit',
  'dead-letters',
  'labels',
  // The wall display's room board: beds, occupancy and (with consent) latest vital signs, devices' state.
  'rooms',
  'accounts',
  // Emergency plans: write them and schedule their drills (facility side); accept or return a filed plan (regulator).
  'plans',
  'review-plans',
  'work-orders',
  'dwellings',
] as const;
export type Action = (typeof ACTIONS)[number];

const STAFF: readonly Action[] = [
  'session',
  'facilities',
  'residents',
  'devices',
  'alerts',
  'respond',
  'stream',
  'labels',
  'rooms',
  // Home care: a station's work orders, and the dwellings with their addresses and how to get in.
  'work-orders',
  'dwellings',
];
const OFFICER: readonly Action[] = [
  ...STAFF,
  'timeline',
  'reports',
  'drill',
  'vitals',
  'manage',
  'assign',
  'privacy',
  'audit',
  'dead-letters',
  'accounts',
  'plans',
];

/** Exported for the authorization matrix test, which derives its expectations from it. */
export const PERMISSIONS: Record<TokenRole, readonly Action[]> = {
  // Creating facilities and setting retention concern every facility: the admin's alone; so does answering
  // filed plans in every region.
  admin: [...OFFICER, 'provision', 'retention', 'review-plans'],
  'safety-officer': OFFICER,
  // Residents' current status includes their devices (online, battery) and vital signs, so caregivers read them.
  caregiver: [...STAFF, 'vitals'],
  // Read-only and pseudonymous: response times and coverage, never names, vital signs or device ids; they accept
  // or return filed plans.
  regulator: ['session', 'facilities', 'residents', 'alerts', 'timeline', 'reports', 'stream', 'review-plans'],
  // A station's wall display shows its open work orders, never the dwellings' addresses; and the room board (with
  // consented vital signs): it hangs where the staff work, and shows them what the resident consented to.
  display: ['session', 'alerts', 'stream', 'labels', 'rooms', 'work-orders'],
};

const ACTION_WORDS: Partial<Record<Action, string>> = {
  respond: 'acknowledge or resolve',
  plans: 'write emergency plans',
  'review-plans': 'accept or return filed plans',
};

/** Throws 403 when the role may not do this at all (scope is checked separately and yields 404). */
export function allow(principal: Principal, action: Action): void {
  if (!PERMISSIONS[principal.role].includes(action))
    throw Forbidden(`a ${principal.role} token may not ${ACTION_WORDS[action] ?? action}`);
}

export function can(principal: Principal, action: Action): boolean {
  return PERMISSIONS[principal.role].includes(action);
}

/** True when the principal may see records of this facility. */
export function inScope(principal: Principal, facility: string, directory: Directory): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'regulator') return directory.regionOf(facility) === principal.region;
  return principal.facility === facility;
}

/** Cross-scope reads are 404, exactly as if the record did not exist: scope must not be probeable. */
export function assertInScope(principal: Principal, facility: string, directory: Directory, what: string): void {
  if (!inScope(principal, facility, directory)) throw NotFound(`${what} not found`);
}

/** Regulators see residents only by pseudonym (an unknown resident becomes null rather than leak its id). */
export function residentRef(principal: Principal, facility: string, resident: string | null, directory: Directory) {
  if (resident === null || principal.role !== 'regulator') return resident;
  return directory.pseudonymOf(facility, resident) ?? null;
}

/** Which view of an alert `alertView` gives this principal: it depends on the role alone. */
export function alertViewOf(principal: Principal): 'full' | 'pseudonymous' {
  return principal.role === 'regulator' ? 'pseudonymous' : 'full';
}

/**
 * The alert as this principal may see it. Regulators get pseudonyms instead of resident ids, no device id, and
 * neither the detail text nor the responder's note, which may name a resident or state a vital sign.
 */
export function alertView(principal: Principal, alert: Alert, directory: Directory): Alert {
  if (alertViewOf(principal) === 'full') return alert;
  const pseudonym = residentRef(principal, alert.facility, alert.resident, directory);
  // Subjects look like `resident:<id>` or `device:<id>`: replace whole segments only, never a substring.
  const masked = new Map<string, string>();
  if (alert.resident !== null) masked.set(alert.resident, pseudonym ?? 'unknown');
  if (alert.device !== null) masked.set(alert.device, 'device');
  return {
    ...alert,
    resident: pseudonym,
    device: null,
    subject: alert.subject
      .split(':')
      .map((part) => masked.get(part) ?? part)
      .join(':'),
    detail: `${alert.rule} alert`,
    note: null,
    // A call button's presence names the button (`device:<id>`), which also acknowledged an alert nobody had.
    acknowledgedBy: maskDevice(alert.acknowledgedBy),
    presentBy: maskDevice(alert.presentBy),
  };
}

const maskDevice = (actor: string | null) => (actor?.startsWith('device:') ? 'device' : actor);

/** A `?facility=` filter: 404 when the facility does not exist or is outside the principal's scope. */
export async function assertFacility(principal: Principal, facility: string, directory: Directory): Promise<void> {
  await directory.ensure(facility, null);
  if (directory.regionOf(facility) === undefined) throw NotFound(`facility ${facility} not found`);
  assertInScope(principal, facility, directory, `facility ${facility}`);
}
