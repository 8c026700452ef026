import type { Queryable } from '@vigil/core';

/** What a worker's claim on its facilities gave (docs/alerts.md "Workers"). */
export interface FacilityClaim {
  /** The facilities the worker now owns. */
  claimed: string[];
  /** Facilities it asked for that another worker owns. */
  taken: { facility: string; worker: string }[];
  /** Facilities it asked for that do not exist. */
  unknown: string[];
}

/**
 * Claims `facilities` (null: every facility) for `worker`: those nobody owns or it owns already. In one statement,
 * so two workers claiming at once cannot both win a facility (the primary key decides). A worker with a list also
 * gives up the facilities it owned that are not on it any more.
 */
export async function claimAlertFacilities(
  db: Queryable,
  worker: string,
  facilities: readonly string[] | null,
): Promise<FacilityClaim> {
  const { rows } = await db.query<{ facility: string; worker: string | null; claimed: boolean; known: boolean }>(
    `WITH wanted AS (
       SELECT w.id, f.id IS NOT NULL AS known
       FROM (SELECT id FROM facilities WHERE $2::text[] IS NULL UNION SELECT unnest($2::text[])) w (id)
       LEFT JOIN facilities f ON f.id = w.id
     ), released AS (
       DELETE FROM alert_facility_owners
       WHERE worker = $1 AND $2::text[] IS NOT NULL AND NOT (facility_id = ANY($2))
     ), claimed AS (
       INSERT INTO alert_facility_owners (facility_id, worker) SELECT id, $1 FROM wanted WHERE known
       ON CONFLICT (facility_id) DO UPDATE SET claimed_at = now() WHERE alert_facility_owners.worker = EXCLUDED.worker
       RETURNING facility_id
     )
     SELECT w.id AS facility, o.worker, c.facility_id IS NOT NULL AS claimed, w.known
     FROM wanted w
     LEFT JOIN claimed c ON c.facility_id = w.id
     LEFT JOIN alert_facility_owners o ON o.facility_id = w.id
     ORDER BY w.id`,
    [worker, facilities],
  );
  return {
    claimed: rows.filter((r) => r.claimed).map((r) => r.facility),
    // A worker that claimed it in the same instant is not visible yet: named "another worker" then.
    taken: rows
      .filter((r) => r.known && !r.claimed)
      .map((r) => ({ facility: r.facility, worker: r.worker ?? 'another worker' })),
    unknown: rows.filter((r) => !r.known).map((r) => r.facility),
  };
}

/** Gives up every facility `worker` owns (a clean close with nothing left to store). */
export async function releaseAlertFacilities(db: Queryable, worker: string): Promise<void> {
  await db.query('DELETE FROM alert_facility_owners WHERE worker = $1', [worker]);
}
