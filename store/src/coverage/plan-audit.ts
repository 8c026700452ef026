import type { Queryable } from '@vigil/core';
import { listPlanDrills } from '../plans/plan-drills.js';
import { listPlans } from '../plans/plans.js';
import { localDate } from './days.js';
import type { PlanAudit } from './report-schema.js';

const DAY_MS = 86_400_000;

/** The facility's plans (those created by `at`) and their drills as of `at`, reviews judged by the local date in `timezone`. */
export async function readPlanAudit(db: Queryable, facility: string, at: Date, timezone: string): Promise<PlanAudit[]> {
  const [plans, drills] = await Promise.all([listPlans(db, facility), listPlanDrills(db, facility)]);
  const today = localDate(at, timezone);
  return plans.filter((p) => Date.parse(p.createdAt) <= +at).map((p) => {
    const own = drills.filter((d) => d.plan === p.id);
    const ran = own.flatMap((d) => (d.ranAt && Date.parse(d.ranAt) <= +at ? [d.ranAt] : [])).sort();
    const lastDrill = ran.at(-1) ?? null;
    const since = Date.parse(lastDrill ?? p.createdAt);
    return {
      plan: p.id,
      kind: p.kind,
      filingStatus: p.filingStatus,
      reviewDue: p.reviewDue,
      reviewOverdue: p.reviewDue < today,
      drillEveryDays: p.drillEveryDays,
      version: p.version,
      lastDrill,
      drillOverdue: since < +at - p.drillEveryDays * DAY_MS,
      missedDrills: own.filter((d) => !d.ranAt && Date.parse(d.scheduledFor) < +at).map((d) => d.scheduledFor),
    };
  });
}
