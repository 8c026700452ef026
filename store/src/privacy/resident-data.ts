import type { Queryable } from '@vigil/core';
import { RegistryConflict } from '../errors.js';
import { retentionDaysByClass } from './retention-settings.js';

/** Everything Vigil holds about one resident (PIPL Art. 45: the right to a copy), as JSON-ready rows. */
export interface ResidentExport {
  resident: Record<string, unknown>;
  consent: Record<string, unknown> | null;
  devices: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
  vitals: Record<string, unknown>[];
  vitalsHourly: Record<string, unknown>[];
}

/** At most this many raw vital-sign rows in one export (the hourly rollups cover the rest of the history). */
export const EXPORT_VITALS_LIMIT = 100_000;

export async function exportResident(db: Queryable, facility: string, id: string): Promise<ResidentExport | null> {
  const args = [facility, id];
  const one = async (sql: string) => (await db.query(sql, args)).rows;
  const [resident] = await one(
    `SELECT facility_id AS facility, id, pseudonym, name, care_level AS "careLevel", fall_risk AS "fallRisk",
       wander_risk AS "wanderRisk", location_id AS location, thresholds, active, created_at AS "createdAt",
       discharged_at AS "dischargedAt", erased_at AS "erasedAt"
     FROM residents WHERE facility_id = $1 AND id = $2`,
  );
  if (!resident) return null;
  // One after the other: the export runs on one transaction's client.
  const consent = await one(`SELECT vitals, location, family_notification AS "familyNotification",
    recorded_by AS "recordedBy", recorded_at AS "recordedAt" FROM resident_consents
    WHERE facility_id = $1 AND resident_id = $2`);
  const devices = await one(
    'SELECT id, kind, location_id AS location FROM devices WHERE facility_id = $1 AND resident_id = $2 ORDER BY id',
  );
  const alerts = await one(`SELECT id, rule, priority, status, detail, drill, raised_at AS "raisedAt",
    resolved_at AS "resolvedAt", outcome, note FROM alerts WHERE facility_id = $1 AND resident_id = $2 ORDER BY raised_at`);
  const vitals = await one(`SELECT time, device_id AS device, hr, spo2, rr, sbp, dbp, skin_temp AS "skinTemp", worn,
    occupied, motion, sleep FROM vitals WHERE facility_id = $1 AND resident_id = $2 ORDER BY time
    LIMIT ${EXPORT_VITALS_LIMIT}`);
  const vitalsHourly = await one(
    'SELECT * FROM vitals_hourly WHERE facility_id = $1 AND resident_id = $2 ORDER BY bucket',
  );
  return { resident, consent: consent[0] ?? null, devices, alerts, vitals, vitalsHourly };
}

export interface Erasure {
  vitals: number;
  vitalsHourly: number;
}

/**
 * Erases a discharged resident's personal data once the vitals retention has passed since discharge: the name,
 * thresholds, consent and every vital sign. The row and its pseudonym stay, because alerts (kept, hash-chained)
 * refer to them. 409 when the resident is active or still within retention. Run it in a transaction (`audited`).
 */
export async function eraseResident(
  db: Queryable,
  facility: string,
  id: string,
  now: Date,
  defaultDays: number,
): Promise<Erasure | null> {
  const { rows } = await db.query<{ dischargedAt: Date | null }>(
    'SELECT discharged_at AS "dischargedAt" FROM residents WHERE facility_id = $1 AND id = $2 FOR UPDATE',
    [facility, id],
  );
  if (!rows[0]) return null;
  const days = (await retentionDaysByClass(db, defaultDays)).vitals;
  const discharged = rows[0].dischargedAt;
  if (!discharged) throw RegistryConflict(`resident ${facility}/${id} is not discharged`);
  const erasableAt = new Date(discharged.getTime() + days * 86_400_000);
  if (erasableAt > now)
    throw RegistryConflict(`resident ${facility}/${id} is within retention until ${erasableAt.toISOString()}`);
  const args = [facility, id];
  const vitals = await db.query('DELETE FROM vitals WHERE facility_id = $1 AND resident_id = $2', args);
  const hourly = await db.query('DELETE FROM vitals_hourly WHERE facility_id = $1 AND resident_id = $2', args);
  await db.query('DELETE FROM resident_consents WHERE facility_id = $1 AND resident_id = $2', args);
  await db.query(
    `UPDATE residents SET name = NULL, thresholds = '{}'::jsonb, location_id = NULL, erased_at = now()
     WHERE facility_id = $1 AND id = $2`,
    args,
  );
  return { vitals: vitals.rowCount ?? 0, vitalsHourly: hourly.rowCount ?? 0 };
}
