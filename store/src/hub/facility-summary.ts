import type { Queryable } from '@vigil/core';
import { ALERT_PRIORITIES, type OpenAlertCounts } from '@vigil/protocol';

/** What a facility's periodic region summary counts, from its own database. */
export async function facilityStatusCounts(
  db: Queryable,
  facility: string,
): Promise<{ openAlerts: OpenAlertCounts; devicesOnline: number; devicesOffline: number }> {
  const [alerts, devices] = await Promise.all([
    db.query<{ priority: keyof OpenAlertCounts; n: number }>(
      `SELECT priority, count(*)::int AS n FROM alerts WHERE facility_id = $1 AND status <> 'resolved' GROUP BY priority`,
      [facility],
    ),
    db.query<{ online: number; offline: number }>(
      `SELECT count(*) FILTER (WHERE online)::int AS online, count(*) FILTER (WHERE online IS NOT TRUE)::int AS offline
         FROM devices WHERE facility_id = $1 AND retired_at IS NULL`,
      [facility],
    ),
  ]);
  const openAlerts = Object.fromEntries(ALERT_PRIORITIES.map((p) => [p, 0])) as OpenAlertCounts;
  for (const row of alerts.rows) openAlerts[row.priority] = row.n;
  return { openAlerts, devicesOnline: devices.rows[0]!.online, devicesOffline: devices.rows[0]!.offline };
}

/** The residents table's pseudonym of each resident id given (ids without a row are left out). */
export async function residentPseudonyms(
  db: Queryable,
  facility: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await db.query<{ id: string; pseudonym: string }>(
    'SELECT id, pseudonym FROM residents WHERE facility_id = $1 AND id = ANY($2::text[])',
    [facility, [...ids]],
  );
  return new Map(rows.map((r) => [r.id, r.pseudonym]));
}
