import type { Queryable } from '@vigil/core';
import type { RegionPlan } from '@vigil/protocol';
import { listPlanDrills, listPlans } from '@vigil/store';

/**
 * The facility's emergency plans as region records (docs/hub.md "Messages", kind `plan`), without `at`: status,
 * review date, cadence, document version and drills with their response times. Pseudonymous: participants as a
 * count, no title, document or findings.
 */
export async function regionPlanRecords(db: Queryable, facility: string): Promise<Array<Omit<RegionPlan, 'at'>>> {
  const [plans, drills] = await Promise.all([listPlans(db, facility), listPlanDrills(db, facility)]);
  return plans.map((p) => ({
    plan: p.id,
    kind: p.kind,
    filingStatus: p.filingStatus,
    filingChangedAt: p.filingChangedAt,
    reviewDue: p.reviewDue,
    drillEveryDays: p.drillEveryDays,
    createdAt: p.createdAt,
    documentVersion: p.version,
    drills: drills
      .filter((d) => d.plan === p.id)
      .map((d) => ({
        id: d.id,
        scheduledFor: d.scheduledFor,
        ranAt: d.ranAt,
        participants: d.participants.length,
        acknowledgeS: d.secondsToAcknowledge,
        resolveS: d.secondsToResolve,
      })),
  }));
}
