const DAY_MS = 86_400_000;

export interface PlanStanding {
  reviewOverdue: boolean;
  lastDrill: string | null;
  /** No drill within `drillEveryDays` before `at` (counted from the plan's creation before its first drill). */
  drillOverdue: boolean;
  /** Scheduled before `at` and never run. */
  missedDrills: string[];
}

/**
 * Where a plan stands as of `at` (`today`: the date its review is judged by): the one rule the facility's coverage
 * audit and the hub's region API both apply (docs/ARCHITECTURE.md "Emergency plans and drills").
 */
export function planStanding(
  plan: { reviewDue: string; drillEveryDays: number; createdAt: string },
  drills: ReadonlyArray<{ scheduledFor: string; ranAt: string | null }>,
  at: Date,
  today: string,
): PlanStanding {
  const ran = drills.flatMap((d) => (d.ranAt && Date.parse(d.ranAt) <= +at ? [d.ranAt] : [])).sort();
  const lastDrill = ran.at(-1) ?? null;
  const since = Date.parse(lastDrill ?? plan.createdAt);
  return {
    reviewOverdue: plan.reviewDue < today,
    lastDrill,
    drillOverdue: since < +at - plan.drillEveryDays * DAY_MS,
    missedDrills: drills.filter((d) => !d.ranAt && Date.parse(d.scheduledFor) < +at).map((d) => d.scheduledFor),
  };
}
