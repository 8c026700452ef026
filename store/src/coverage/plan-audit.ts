import type { Queryable } from '@vigil/core';
import { listPlanDrills } from '../plans/plan-drills.js';
import { listPlans } from '../plans/plans.js';
import { planStanding } from '../plans/standing.js';
import { localDate } from './days.js';
import type { PlanAudit } from './report-schema.js';

/** The facility's plans (those created by `at`) and their drills as of `at`, reviews judged by the local date in `timezone`. */
export async function readPlanAudit(db: Queryable, facility: string, at: Date, timezone: string): Promise<PlanAudit[]> {
  const plans = await listPlans(db, facility);
  const drills = await listPlanDrills(db, facility);
  const today = localDate(at, timezone);
  return plans
    .filter((p) => Date.parse(p.createdAt) <= +at)
    .map((p) => {
      const { reviewOverdue, lastDrill, drillOverdue, missedDrills } = planStanding(
        p,
        drills.filter((d) => d.plan === p.id),
        at,
        today,
      );
      return {
        plan: p.id,
        kind: p.kind,
        filingStatus: p.filingStatus,
        reviewDue: p.reviewDue,
        reviewOverdue,
        drillEveryDays: p.drillEveryDays,
        version: p.version,
        lastDrill,
        drillOverdue,
        missedDrills,
      };
    });
}
