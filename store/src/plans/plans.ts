import { createHash } from 'node:crypto';
import type { Queryable } from '@vigil/core';
import { idSchema } from '@vigil/protocol';
import { z } from 'zod';
import { RegistryNotFound, registryError, registryInsert } from '../errors.js';

/** Emergency plans of a facility and their documents (docs/ARCHITECTURE.md "Emergency plans and drills"). */
export const PLAN_KINDS = [
  'fire',
  'gas',
  'power-loss',
  'wandering',
  'medical',
  'flood',
  'evacuation',
  'other',
] as const;
export const FILING_STATUSES = ['draft', 'filed', 'accepted', 'needs-revision'] as const;
export const filingStatusSchema = z.enum(FILING_STATUSES);
export type FilingStatus = z.infer<typeof filingStatusSchema>;

export const planInputSchema = z.strictObject({
  id: idSchema,
  kind: z.enum(PLAN_KINDS),
  title: z.string().min(1).max(200),
  reviewDue: z.iso.date().describe('when the plan must be reviewed next (YYYY-MM-DD)'),
  drillEveryDays: z.number().int().positive().default(180).describe('a drill of this plan is due this often'),
});
export type PlanInput = z.input<typeof planInputSchema>;

export const planSchema = planInputSchema.extend({
  facility: idSchema,
  filingStatus: filingStatusSchema,
  filingChangedAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  /** The newest document version, null before the first upload. */
  version: z.number().int().nullable(),
});
export type Plan = z.infer<typeof planSchema>;

export const planVersionSchema = z.object({
  version: z.number().int(),
  filename: z.string(),
  mediaType: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  uploadedBy: z.string(),
  uploadedAt: z.iso.datetime(),
});
export type PlanVersion = z.infer<typeof planVersionSchema>;

const PLAN_COLUMNS = `p.facility_id AS facility, p.id, p.kind, p.title, to_char(p.review_due, 'YYYY-MM-DD') AS "reviewDue",
  p.drill_every_days AS "drillEveryDays", p.filing_status AS "filingStatus", p.filing_changed_at AS "filingChangedAt",
  p.created_at AS "createdAt",
  (SELECT max(version) FROM emergency_plan_versions v WHERE v.facility_id = p.facility_id AND v.plan_id = p.id) AS version`;

const toPlan = (r: Record<string, unknown>): Plan =>
  ({
    ...r,
    filingChangedAt: (r.filingChangedAt as Date).toISOString(),
    createdAt: (r.createdAt as Date).toISOString(),
  }) as Plan;

export async function createPlan(db: Queryable, facility: string, input: PlanInput): Promise<Plan> {
  const p = planInputSchema.parse(input);
  await registryInsert(
    db,
    `plan ${p.id} of facility ${facility}`,
    `INSERT INTO emergency_plans (facility_id, id, kind, title, review_due, drill_every_days) VALUES ($1, $2, $3, $4, $5, $6)`,
    [facility, p.id, p.kind, p.title, p.reviewDue, p.drillEveryDays],
  );
  return getPlan(db, facility, p.id);
}

export async function getPlan(db: Queryable, facility: string, id: string): Promise<Plan> {
  const { rows } = await db.query(`SELECT ${PLAN_COLUMNS} FROM emergency_plans p WHERE facility_id = $1 AND id = $2`, [
    facility,
    id,
  ]);
  if (!rows[0]) throw RegistryNotFound(`plan ${id} of facility ${facility} not found`);
  return toPlan(rows[0]);
}

export async function listPlans(db: Queryable, facility: string): Promise<Plan[]> {
  const { rows } = await db.query(`SELECT ${PLAN_COLUMNS} FROM emergency_plans p WHERE facility_id = $1 ORDER BY id`, [
    facility,
  ]);
  return rows.map(toPlan);
}

/** Sets the filing status with the regulator (and, when given, the next review date). */
export async function setPlanFiling(
  db: Queryable,
  facility: string,
  id: string,
  change: { status: FilingStatus; reviewDue?: string },
): Promise<Plan> {
  const { rowCount } = await db.query(
    `UPDATE emergency_plans SET filing_status = $3, filing_changed_at = now(), review_due = coalesce($4::date, review_due)
     WHERE facility_id = $1 AND id = $2`,
    [facility, id, change.status, change.reviewDue ?? null],
  );
  if (!rowCount) throw RegistryNotFound(`plan ${id} of facility ${facility} not found`);
  return getPlan(db, facility, id);
}

/** Stores a new version of the plan's document; a new document goes back to draft until it is filed again. */
export async function uploadPlanDocument(
  db: Queryable,
  facility: string,
  id: string,
  doc: { filename: string; mediaType: string; document: Buffer; uploadedBy: string },
): Promise<PlanVersion> {
  const sha = createHash('sha256').update(doc.document).digest();
  const { rows } = await db
    .query(
      `WITH v AS (
         INSERT INTO emergency_plan_versions (facility_id, plan_id, version, filename, media_type, document, sha256, uploaded_by)
         SELECT $1::text, $2::text, coalesce(max(version), 0) + 1, $3::text, $4::text, $5::bytea, $6::bytea, $7::text
         FROM emergency_plan_versions WHERE facility_id = $1 AND plan_id = $2
         RETURNING version, uploaded_at)
       , p AS (UPDATE emergency_plans SET filing_status = 'draft', filing_changed_at = now()
               WHERE facility_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM v))
       SELECT * FROM v`,
      [facility, id, doc.filename, doc.mediaType, doc.document, sha, doc.uploadedBy],
    )
    .catch((err) => registryError(err, `plan ${id} of facility ${facility}`));
  return {
    version: rows[0].version,
    filename: doc.filename,
    mediaType: doc.mediaType,
    bytes: doc.document.length,
    sha256: sha.toString('hex'),
    uploadedBy: doc.uploadedBy,
    uploadedAt: rows[0].uploaded_at.toISOString(),
  };
}

export async function listPlanVersions(db: Queryable, facility: string, id: string): Promise<PlanVersion[]> {
  const { rows } = await db.query(
    `SELECT version, filename, media_type AS "mediaType", length(document)::int AS bytes, encode(sha256, 'hex') AS sha256,
            uploaded_by AS "uploadedBy", uploaded_at AS "uploadedAt"
     FROM emergency_plan_versions WHERE facility_id = $1 AND plan_id = $2 ORDER BY version`,
    [facility, id],
  );
  return rows.map((r) => ({ ...r, uploadedAt: r.uploadedAt.toISOString() }));
}

/** One version of the document (the newest without `version`). */
export async function readPlanDocument(
  db: Queryable,
  facility: string,
  id: string,
  version?: number,
): Promise<{ filename: string; mediaType: string; document: Buffer; version: number }> {
  const { rows } = await db.query(
    `SELECT version, filename, media_type AS "mediaType", document FROM emergency_plan_versions
     WHERE facility_id = $1 AND plan_id = $2 AND ($3::int IS NULL OR version = $3) ORDER BY version DESC LIMIT 1`,
    [facility, id, version ?? null],
  );
  if (!rows[0])
    throw RegistryNotFound(`plan ${id} of facility ${facility} has no document${version ? ` version ${version}` : ''}`);
  return rows[0];
}
