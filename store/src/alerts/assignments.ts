import type { Queryable } from '@vigil/core';

export interface Assignment {
  alertId: string;
  assignee: string;
  assignedBy: string;
  assignedAt: Date;
}

/**
 * Assigns an alert to a caregiver (replacing an earlier assignment). Assignment is not lifecycle state: the alert's
 * status, escalation and hash chain do not depend on it, so it lives beside `alerts`, which only the alerts
 * service writes. The assignee must be an enabled caregiver or officer of the alert's facility.
 */
export async function assignAlert(
  db: Queryable,
  alert: { id: string; facility: string },
  assignee: string,
  assignedBy: string,
): Promise<Assignment | null> {
  const { rows } = await db.query<Assignment>(
    `INSERT INTO alert_assignments (alert_id, facility_id, assignee, assigned_by)
     SELECT $1::uuid, $2::text, u.id, $4::text FROM users u
     WHERE u.id = $3::text AND u.facility_id = $2::text AND u.role IN ('caregiver', 'safety-officer') AND u.disabled_at IS NULL
     ON CONFLICT (alert_id) DO UPDATE SET assignee = EXCLUDED.assignee, assigned_by = EXCLUDED.assigned_by,
       assigned_at = now()
     RETURNING alert_id AS "alertId", assignee, assigned_by AS "assignedBy", assigned_at AS "assignedAt"`,
    [alert.id, alert.facility, assignee, assignedBy],
  );
  return rows[0] ?? null;
}

export async function unassignAlert(db: Queryable, alertId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM alert_assignments WHERE alert_id = $1', [alertId]);
  return (rowCount ?? 0) > 0;
}
