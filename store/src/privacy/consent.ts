import type { Queryable } from '@vigil/core';
import { z } from 'zod';

/** What a resident (or their guardian) consented to: each scope separately (PIPL Art. 29). */
export const consentScopeSchema = z.object({
  vitals: z.boolean().describe('vital signs may be processed and shown to staff'),
  location: z.boolean().describe('whereabouts (room presence, door and wander events) may be shown'),
  familyNotification: z.boolean().describe('family may be notified of alerts'),
});
export type ConsentScope = z.infer<typeof consentScopeSchema>;

export interface Consent extends ConsentScope {
  recordedBy: string;
  recordedAt: Date;
}

/** Records (replaces) a resident's consent; false when the resident does not exist. */
export async function setConsent(
  db: Queryable,
  facility: string,
  resident: string,
  scope: ConsentScope,
  recordedBy: string,
): Promise<Consent | null> {
  const { rows } = await db.query<Consent>(
    `INSERT INTO resident_consents (facility_id, resident_id, vitals, location, family_notification, recorded_by)
     SELECT facility_id, id, $3, $4, $5, $6 FROM residents WHERE facility_id = $1 AND id = $2
     ON CONFLICT (facility_id, resident_id) DO UPDATE SET vitals = EXCLUDED.vitals, location = EXCLUDED.location,
       family_notification = EXCLUDED.family_notification, recorded_by = EXCLUDED.recorded_by, recorded_at = now()
     RETURNING ${CONSENT_COLUMNS}`,
    [facility, resident, scope.vitals, scope.location, scope.familyNotification, recordedBy],
  );
  return rows[0] ?? null;
}

const CONSENT_COLUMNS = `vitals, location, family_notification AS "familyNotification", recorded_by AS "recordedBy",
  recorded_at AS "recordedAt"`;

/** A resident's consent, or null when none was recorded (then nothing sensitive is shown). */
export async function getConsent(db: Queryable, facility: string, resident: string): Promise<Consent | null> {
  const { rows } = await db.query<Consent>(
    `SELECT ${CONSENT_COLUMNS} FROM resident_consents WHERE facility_id = $1 AND resident_id = $2`,
    [facility, resident],
  );
  return rows[0] ?? null;
}

/** True when the resident consented to their vital signs being shown. */
export async function vitalsConsented(db: Queryable, facility: string, resident: string): Promise<boolean> {
  return (await getConsent(db, facility, resident))?.vitals ?? false;
}

/** The residents of these (facility, resident) pairs whose vital signs may be shown, as `facility\0resident`. */
export async function residentsWithVitalsConsent(
  db: Queryable,
  pairs: readonly { facility: string; resident: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const { rows } = await db.query<{ facility: string; resident: string }>(
    `SELECT c.facility_id AS facility, c.resident_id AS resident FROM resident_consents c
     JOIN unnest($1::text[], $2::text[]) AS p(facility, resident) ON p.facility = c.facility_id AND p.resident = c.resident_id
     WHERE c.vitals`,
    [pairs.map((p) => p.facility), pairs.map((p) => p.resident)],
  );
  return new Set(rows.map((r) => `${r.facility}\u0000${r.resident}`));
}
