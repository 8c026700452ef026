import { z } from 'zod';
import type { Queryable } from '@vigil/core';
import { scopeClause, type Principal } from '../registry/accounts.js';
import { inShift, shiftDefaults, shiftsRelation } from './shifts.js';

/** Median and 90th percentile of a response time in seconds from `raisedAt`; null when no alert got that far. */
const spread = z.object({ median: z.number().nullable(), p90: z.number().nullable() });

export const responseGroupSchema = z.object({
  drill: z.boolean().describe('drills are counted apart from real alerts'),
  by: z.enum(['all', 'shift', 'rule']),
  /** The shift id or the rule; null for `all`. */
  key: z.string().nullable(),
  count: z.number().int(),
  acknowledged: z.number().int(),
  present: z.number().int(),
  resolved: z.number().int(),
  toAcknowledge: spread,
  toPresence: spread,
  toResolve: spread,
});
export type ResponseGroup = z.infer<typeof responseGroupSchema>;

export interface AnalyticsPeriod {
  facility: string;
  /** ISO times; alerts raised in [from, to). */
  from: string;
  to: string;
}

const seconds = (column: string) => `extract(epoch FROM a.${column} - a.raised_at)::float8`;
const percentiles = (column: string) =>
  `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${column}) AS ${column}_median,
   percentile_cont(0.9) WITHIN GROUP (ORDER BY ${column}) AS ${column}_p90`;

/**
 * Response times of a facility's alerts raised in the period (docs/api.md "Response analytics"): for real alerts
 * and for drills apart, over all, per shift (the shift the alert was raised in, in the facility's time zone) and
 * per rule — how many, and the median and 90th percentile of the time to acknowledge, to presence at the resident
 * and to resolve. One statement with grouping sets; scoped to the principal in SQL.
 */
export async function responseAnalytics(
  db: Queryable,
  principal: Principal,
  q: AnalyticsPeriod,
): Promise<ResponseGroup[]> {
  const params: unknown[] = [q.facility, q.from, q.to, shiftDefaults()];
  const { rows } = await db.query<Record<string, unknown>>(
    `WITH timed AS (
       SELECT a.drill, a.rule, s.id AS shift, ${seconds('acknowledged_at')} AS ack,
              ${seconds('present_at')} AS presence, ${seconds('resolved_at')} AS resolve
         FROM alerts a
         JOIN facilities f ON f.id = a.facility_id
         LEFT JOIN ${shiftsRelation('$1', '$4')} s ON ${inShift(`(a.raised_at AT TIME ZONE f.timezone)::time`, 's')}
        WHERE a.facility_id = $1 AND a.raised_at >= $2 AND a.raised_at < $3
          AND ${scopeClause(principal, 'a.facility_id', params)}
     )
     SELECT drill, CASE WHEN GROUPING(shift) = 0 THEN 'shift' WHEN GROUPING(rule) = 0 THEN 'rule' ELSE 'all' END AS "by",
            CASE WHEN GROUPING(shift) = 0 THEN shift WHEN GROUPING(rule) = 0 THEN rule END AS key,
            count(*)::int AS count, count(ack)::int AS acknowledged, count(presence)::int AS present,
            count(resolve)::int AS resolved, ${percentiles('ack')}, ${percentiles('presence')}, ${percentiles('resolve')}
       FROM timed
      GROUP BY GROUPING SETS ((drill), (drill, shift), (drill, rule))
      ORDER BY drill, "by", key`,
    params,
  );
  return rows.map((r) => ({
    drill: r.drill as boolean,
    by: r.by as ResponseGroup['by'],
    key: r.key as string | null,
    count: r.count as number,
    acknowledged: r.acknowledged as number,
    present: r.present as number,
    resolved: r.resolved as number,
    toAcknowledge: { median: r.ack_median as number | null, p90: r.ack_p90 as number | null },
    toPresence: { median: r.presence_median as number | null, p90: r.presence_p90 as number | null },
    toResolve: { median: r.resolve_median as number | null, p90: r.resolve_p90 as number | null },
  }));
}
