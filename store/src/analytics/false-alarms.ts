import { z } from 'zod';
import type { Queryable } from '@vigil/core';
import { scopeClause, type Principal } from '../registry/accounts.js';
import type { AnalyticsPeriod } from './response-times.js';

export const falseAlarmRowSchema = z.object({
  /** Real alerts raised in the period (drills are not judged). */
  count: z.number().int(),
  /** Alerts a caregiver resolved with an outcome (auto-cleared and unresolved ones are not judged). */
  judged: z.number().int(),
  falseAlarms: z.number().int(),
  deviceFaults: z.number().int(),
  /** (falseAlarms + deviceFaults) / judged; null when nothing was judged. */
  share: z.number().nullable(),
});

export const falseAlarmReportSchema = z.object({
  /** Noisiest first: most false alarms and device faults, then the highest share. */
  byRule: z.array(falseAlarmRowSchema.extend({ rule: z.string() })),
  byDevice: z.array(
    falseAlarmRowSchema.extend({
      /** The device id; for regulators its kind and number in the order of the facility's devices (`smoke-1`). */
      device: z.string(),
      kind: z.string().nullable(),
    }),
  ),
});
export type FalseAlarmReport = z.infer<typeof falseAlarmReportSchema>;

/** How an alert `a` was judged from its outcome: resolved with one (not auto-cleared), false alarm, device fault. */
const JUDGED = `a.outcome IS NOT NULL AND a.outcome <> 'auto_cleared' AS judged,
  a.outcome = 'false_alarm' AS false_alarm, a.outcome = 'device_fault' AS device_fault`;
/** A group's counts of JUDGED's columns (`count` apart: what counts as an alert differs between the statements). */
const COUNTS = `count(*) FILTER (WHERE judged)::int AS judged, count(*) FILTER (WHERE false_alarm)::int AS false_alarms,
  count(*) FILTER (WHERE device_fault)::int AS device_faults`;
/** Over COUNTS: the share of the judged that were false alarms or device faults, null when none was judged. */
const SHARE = `CASE WHEN judged > 0 THEN (false_alarms + device_faults)::float8 / judged END AS share`;

/** A row with COUNTS, `count` and SHARE as the schemas name them. */
const counts = (r: Record<string, unknown>) => ({
  count: r.count as number,
  judged: r.judged as number,
  falseAlarms: r.false_alarms as number,
  deviceFaults: r.device_faults as number,
  share: r.share as number | null,
});

/**
 * False-alarm statistics of a facility's real alerts raised in the period, from the outcomes caregivers recorded
 * when resolving (`false_alarm`, `device_fault`), per rule and per device, the noisiest first. `pseudonymous`
 * (regulators): devices by kind and number, never their ids.
 */
export async function falseAlarmAnalytics(
  db: Queryable,
  principal: Principal,
  q: AnalyticsPeriod & { pseudonymous: boolean },
): Promise<FalseAlarmReport> {
  const params: unknown[] = [q.facility, q.from, q.to, q.pseudonymous];
  const { rows } = await db.query<Record<string, unknown>>(
    `WITH numbered AS (
       SELECT id, kind, kind || '-' || row_number() OVER (PARTITION BY kind ORDER BY id) AS alias
         FROM devices WHERE facility_id = $1
     ), judged AS (
       SELECT a.rule, a.device_id, d.kind, CASE WHEN $4 THEN d.alias ELSE a.device_id END AS device,
              ${JUDGED} FROM alerts a LEFT JOIN numbered d ON d.id = a.device_id
        WHERE a.facility_id = $1 AND NOT a.drill AND a.raised_at >= $2 AND a.raised_at < $3
          AND ${scopeClause(principal, 'a.facility_id', params)}
     ), counted AS (
       SELECT GROUPING(rule) = 0 AS per_rule, rule, device, kind, count(*)::int AS count, ${COUNTS}
         FROM judged
        GROUP BY GROUPING SETS ((rule), (device_id, device, kind))
       HAVING GROUPING(rule) = 0 OR device_id IS NOT NULL
     )
     SELECT *, ${SHARE}
       FROM counted
      ORDER BY false_alarms + device_faults DESC, share DESC NULLS LAST, count DESC, rule, device`,
    params,
  );
  return {
    byRule: rows.filter((r) => r.per_rule).map((r) => ({ rule: r.rule as string, ...counts(r) })),
    byDevice: rows
      .filter((r) => !r.per_rule)
      .map((r) => ({ device: (r.device as string | null) ?? 'device', kind: r.kind as string | null, ...counts(r) })),
  };
}

export const facilityFalseAlarmsSchema = falseAlarmRowSchema.extend({
  facility: z.string(),
  name: z.string(),
  /** The rule with the most false alarms and device faults, null when none was judged either. */
  noisiestRule: z.string().nullable(),
});
export type FacilityFalseAlarms = z.infer<typeof facilityFalseAlarmsSchema>;

/**
 * False-alarm rates of every facility in the principal's scope (a regulator's region) for real alerts raised in
 * [from, to), the highest share first; facilities without alerts are listed with zeros. Counts only: no resident,
 * device or note, so regulators may read it as it is.
 */
export async function falseAlarmsByFacility(
  db: Queryable,
  principal: Principal,
  q: { from: string; to: string },
): Promise<FacilityFalseAlarms[]> {
  const params: unknown[] = [q.from, q.to];
  const { rows } = await db.query(
    `WITH judged AS (
       SELECT a.facility_id, a.rule, ${JUDGED} FROM alerts a
        WHERE NOT a.drill AND a.raised_at >= $1 AND a.raised_at < $2
          AND ${scopeClause(principal, 'a.facility_id', params)}
     ), noisiest AS (
       SELECT DISTINCT ON (facility_id) facility_id, rule
         FROM judged WHERE false_alarm OR device_fault
        GROUP BY facility_id, rule ORDER BY facility_id, count(*) DESC, rule
     ), counted AS (
       SELECT f.id AS facility, f.name, n.rule AS noisiest_rule, count(j.facility_id)::int AS count, ${COUNTS}
         FROM facilities f
         LEFT JOIN judged j ON j.facility_id = f.id
         LEFT JOIN noisiest n ON n.facility_id = f.id
        WHERE ${scopeClause(principal, 'f.id', params)}
        GROUP BY f.id, f.name, n.rule
     )
     SELECT *, ${SHARE}
       FROM counted ORDER BY share DESC NULLS LAST, count DESC, name, facility`,
    params,
  );
  return rows.map((r) => ({
    facility: r.facility,
    name: r.name,
    noisiestRule: r.noisiest_rule,
    ...counts(r),
  }));
}
