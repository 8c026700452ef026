import type { Queryable } from '@vigil/core';
import { inClockWindow, type AlertPriority, type AlertRule } from '@vigil/protocol';
import {
  consentingContactEndpoints,
  getPreferences,
  listEndpoints,
  type DeliveryReason,
  type Endpoint,
  type NewDelivery,
  type UserPreferences,
} from '@vigil/store';

/** Whom a work order's notification is for: users (staff, leads) with their preferences, or endpoints as they are. */
export interface Audience {
  users: { endpoints: Endpoint[]; preferences: UserPreferences }[];
  /** The station's own endpoints (group robots) and consenting family contacts: no preferences, no quiet hours. */
  direct: Endpoint[];
}

export interface Occasion {
  workOrder: string;
  reason: DeliveryReason;
  rule: AlertRule;
  priority: AlertPriority;
  at: number;
  timeZone: string;
}

/**
 * The deliveries of one occasion: every endpoint of the audience, each `pending` or `suppressed` with why. A user's
 * preference for a channel names the priorities (and optionally the rules) it carries; no preference: everything.
 * Quiet hours hold back all but critical alerts.
 */
export function planDeliveries(audience: Audience, o: Occasion): NewDelivery[] {
  const base = { workOrder: o.workOrder, reason: o.reason };
  const planned: NewDelivery[] = audience.direct.map((e) => ({ ...base, endpoint: e.id, status: 'pending' }));
  for (const { endpoints, preferences } of audience.users) {
    const quiet =
      o.priority !== 'critical' &&
      preferences.quietHours !== null &&
      inClockWindow(o.at, o.timeZone, { start: preferences.quietHours.starts, end: preferences.quietHours.ends });
    for (const endpoint of endpoints) {
      const pref = preferences.preferences.find((p) => p.channel === endpoint.channel);
      const wanted = !pref || (pref.priorities.includes(o.priority) && (!pref.rules || pref.rules.includes(o.rule)));
      const withheld = !wanted ? 'preferences' : quiet ? 'quiet hours' : null;
      planned.push(
        withheld
          ? { ...base, endpoint: endpoint.id, status: 'suppressed', lastError: withheld }
          : { ...base, endpoint: endpoint.id, status: 'pending' },
      );
    }
  }
  return planned;
}

/** Reads the audience: these users' endpoints and preferences, plus the station's endpoints or a family's. */
export async function loadAudience(
  db: Queryable,
  facility: string,
  users: readonly string[],
  direct: { station: boolean; familyOf: string | null },
): Promise<Audience> {
  // One query after the other: `db` may be a single client inside a transaction.
  const people: Audience['users'] = [];
  for (const user of users)
    people.push({ endpoints: await listEndpoints(db, facility, user), preferences: await getPreferences(db, user) });
  const station = direct.station ? await listEndpoints(db, facility, null) : [];
  const family = direct.familyOf ? await consentingContactEndpoints(db, facility, direct.familyOf) : [];
  return { users: people, direct: [...station, ...family] };
}
