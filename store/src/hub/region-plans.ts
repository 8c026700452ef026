import type { Queryable } from '@vigil/core';
import type { RegionPlan, RegionPlanDrill } from '@vigil/protocol';
import { iso } from '../alerts/alert-queries.js';
import { planStanding, type PlanStanding } from '../plans/standing.js';

/** A facility's plan at the hub, with where it stands now: overdue review, overdue and missed drills. */
export type RegionPlanView = Omit<RegionPlan, 'at'> & { facility: string; recordedAt: string } & PlanStanding;

/**
 * Every plan the facilities sent (one facility's with `facility`), judged as of `now`. Reviews are judged by the
 * UTC date: the hub does not know the facilities' zones, so a review may show overdue up to a day early or late.
 */
export async function listRegionPlans(db: Queryable, now: number, facility?: string): Promise<RegionPlanView[]> {
  const { rows } = await db.query(
    `SELECT facility_id, plan_id, at, kind, filing_status, filing_changed_at, to_char(review_due, 'YYYY-MM-DD') AS review_due,
            drill_every_days, created_at, document_version, drills
       FROM region_plans WHERE $1::text IS NULL OR facility_id = $1 ORDER BY facility_id, plan_id`,
    [facility ?? null],
  );
  const at = new Date(now);
  const today = at.toISOString().slice(0, 10);
  return rows.map((r) => {
    const plan = {
      facility: r.facility_id as string,
      plan: r.plan_id as string,
      kind: r.kind as string,
      filingStatus: r.filing_status,
      filingChangedAt: iso(r.filing_changed_at as Date),
      reviewDue: r.review_due as string,
      drillEveryDays: r.drill_every_days as number,
      createdAt: iso(r.created_at as Date),
      documentVersion: r.document_version as number | null,
      drills: r.drills as RegionPlanDrill[],
      recordedAt: iso(r.at as Date),
    };
    return { ...plan, ...planStanding(plan, plan.drills, at, today) };
  });
}
