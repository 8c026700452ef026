import type { Queryable } from '@vigil/core';
import { z } from 'zod';
import { RegistryConflict, RegistryNotFound, registryError } from '../errors.js';

/** Drills scheduled per emergency plan; a run points at the drill alert the real alerts path raised. */
export const planDrillSchema = z.object({
  id: z.number().int(),
  plan: z.string(),
  scheduledFor: z.iso.datetime(),
  ranAt: z.iso.datetime().nullable(),
  alert: z.string().nullable(),
  participants: z.array(z.string()),
  findings: z.string().nullable(),
  secondsToAcknowledge: z.number().nullable(),
  secondsToResolve: z.number().nullable(),
});
export type PlanDrill = z.infer<typeof planDrillSchema>;

const DRILL_COLUMNS = `d.id::int AS id, d.plan_id AS plan, d.scheduled_for AS "scheduledFor", d.ran_at AS "ranAt",
  d.alert_id AS alert, d.participants, d.findings,
  extract(epoch FROM a.acknowledged_at - a.raised_at)::float8 AS "secondsToAcknowledge",
  extract(epoch FROM a.resolved_at - a.raised_at)::float8 AS "secondsToResolve"
  FROM plan_drills d LEFT JOIN alerts a ON a.id = d.alert_id`;

const toDrill = (r: Record<string, unknown>): PlanDrill => ({
  ...(r as PlanDrill),
  scheduledFor: (r.scheduledFor as Date).toISOString(),
  ranAt: r.ranAt ? (r.ranAt as Date).toISOString() : null,
});

export async function scheduleDrill(
  db: Queryable,
  facility: string,
  plan: string,
  scheduledFor: Date,
): Promise<PlanDrill> {
  const { rows } = await db
    .query('INSERT INTO plan_drills (facility_id, plan_id, scheduled_for) VALUES ($1, $2, $3) RETURNING id', [
      facility,
      plan,
      scheduledFor,
    ])
    .catch((err) => registryError(err, `plan ${plan} of facility ${facility}`));
  return getPlanDrill(db, facility, plan, Number(rows[0].id));
}

export async function getPlanDrill(db: Queryable, facility: string, plan: string, id: number): Promise<PlanDrill> {
  const { rows } = await db.query(`SELECT ${DRILL_COLUMNS} WHERE d.facility_id = $1 AND d.plan_id = $2 AND d.id = $3`, [
    facility,
    plan,
    id,
  ]);
  if (!rows[0]) throw RegistryNotFound(`drill ${id} of plan ${plan} not found`);
  return toDrill(rows[0]);
}

/** Records that a scheduled drill ran (once): the drill alert it raised, who took part, what was found. */
export async function recordDrillRun(
  db: Queryable,
  facility: string,
  plan: string,
  id: number,
  run: { commandId: number; alertId: string | null; ranAt: Date; participants: string[]; findings: string | null },
): Promise<PlanDrill> {
  const { rowCount } = await db.query(
    `UPDATE plan_drills SET command_id = $3, alert_id = $4, ran_at = $5, participants = $6, findings = $7
     WHERE facility_id = $1 AND plan_id = $8 AND id = $2 AND ran_at IS NULL`,
    [facility, id, run.commandId, run.alertId, run.ranAt, run.participants, run.findings, plan],
  );
  if (!rowCount) throw RegistryConflict(`drill ${id} of plan ${plan} does not exist or already ran`);
  return getPlanDrill(db, facility, plan, id);
}

/** Updates participants and findings after the drill (findings are often written up later). */
export async function recordDrillFindings(
  db: Queryable,
  facility: string,
  plan: string,
  id: number,
  notes: { participants?: string[]; findings?: string },
): Promise<PlanDrill> {
  const { rowCount } = await db.query(
    `UPDATE plan_drills SET participants = coalesce($3, participants), findings = coalesce($4, findings)
     WHERE facility_id = $1 AND plan_id = $5 AND id = $2`,
    [facility, id, notes.participants ?? null, notes.findings ?? null, plan],
  );
  if (!rowCount) throw RegistryNotFound(`drill ${id} of plan ${plan} not found`);
  return getPlanDrill(db, facility, plan, id);
}

/** Every drill of a facility (of one plan when given), by schedule. */
export async function listPlanDrills(db: Queryable, facility: string, plan?: string): Promise<PlanDrill[]> {
  const { rows } = await db.query(
    `SELECT ${DRILL_COLUMNS} WHERE d.facility_id = $1 AND ($2::text IS NULL OR d.plan_id = $2) ORDER BY d.scheduled_for, d.id`,
    [facility, plan ?? null],
  );
  return rows.map(toDrill);
}
