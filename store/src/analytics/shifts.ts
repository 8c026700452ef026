import { z } from 'zod';
import { idSchema } from '@vigil/protocol';
import type { Queryable } from '@vigil/core';

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM')
  .describe("HH:MM in the facility's time zone");

export const facilityShiftSchema = z.object({
  id: idSchema,
  /** What the staff call it, e.g. 早班; shown as stored. */
  name: z.string().min(1).max(40),
  starts: timeOfDay,
  ends: timeOfDay.describe("HH:MM in the facility's time zone; earlier than `starts` when the shift crosses midnight"),
});
export type FacilityShift = z.infer<typeof facilityShiftSchema>;

/**
 * A facility's shifts must tile the day: in the order of their starts, each ends where the next begins (the last
 * where the first begins), so that every moment — and every alert — belongs to exactly one shift.
 */
export const facilityShiftsSchema = z
  .array(facilityShiftSchema)
  .min(1)
  .max(12)
  .superRefine((shifts, ctx) => {
    if (new Set(shifts.map((s) => s.id)).size !== shifts.length) {
      ctx.addIssue({ code: 'custom', message: 'shift ids must be unique' });
      return;
    }
    const sorted = [...shifts].sort((a, b) => (a.starts < b.starts ? -1 : 1));
    sorted.forEach((s, i) => {
      const next = sorted[(i + 1) % sorted.length]!;
      if (s.ends !== next.starts || (sorted.length > 1 && s.starts === next.starts))
        ctx.addIssue({
          code: 'custom',
          message: `shift ${s.id} ends at ${s.ends}, but the next shift (${next.id}) starts at ${next.starts}: shifts must cover the day without gap or overlap`,
        });
    });
  });

/** The shifts of a facility that configured none: three eight-hour shifts, as Chinese care homes commonly work. */
export const DEFAULT_SHIFTS: readonly FacilityShift[] = [
  { id: 'early', name: '早班', starts: '07:00', ends: '15:00' },
  { id: 'middle', name: '中班', starts: '15:00', ends: '23:00' },
  { id: 'night', name: '夜班', starts: '23:00', ends: '07:00' },
];

/** The facility's shifts in the order of their starts, and whether they are its own or the defaults. */
export async function listFacilityShifts(
  db: Queryable,
  facility: string,
): Promise<{ shifts: FacilityShift[]; configured: boolean }> {
  const { rows } = await db.query<FacilityShift>(
    `SELECT id, name, to_char(starts, 'HH24:MI') AS starts, to_char(ends, 'HH24:MI') AS ends
       FROM facility_shifts WHERE facility_id = $1 ORDER BY starts`,
    [facility],
  );
  return rows.length ? { shifts: rows, configured: true } : { shifts: [...DEFAULT_SHIFTS], configured: false };
}

/** Replaces the facility's shifts (validated by `facilityShiftsSchema`); run it in the audited transaction. */
export async function replaceFacilityShifts(
  db: Queryable,
  facility: string,
  input: readonly FacilityShift[],
): Promise<void> {
  const shifts = facilityShiftsSchema.parse(input);
  await db.query('DELETE FROM facility_shifts WHERE facility_id = $1', [facility]);
  await db.query(
    `INSERT INTO facility_shifts (facility_id, id, name, starts, ends, position)
     SELECT $1, s.id, s.name, s.starts, s.ends, s.position
       FROM jsonb_to_recordset($2::jsonb) AS s(id text, name text, starts time, ends time, position int)`,
    [facility, JSON.stringify(shifts.map((s, position) => ({ ...s, position })))],
  );
}

/**
 * SQL: the facility's shifts as a relation `shifts(id, name, starts, ends)` — its own, or the defaults when it has
 * none. `facilityParam` and `defaultsParam` are the placeholders of the facility id and of `shiftDefaults()`.
 */
export function shiftsRelation(facilityParam: string, defaultsParam: string): string {
  return `(SELECT id::text, name, starts, ends FROM facility_shifts WHERE facility_id = ${facilityParam}
           UNION ALL
           SELECT d.id, d.name, d.starts, d.ends
             FROM jsonb_to_recordset(${defaultsParam}::jsonb) AS d(id text, name text, starts time, ends time)
            WHERE NOT EXISTS (SELECT 1 FROM facility_shifts WHERE facility_id = ${facilityParam}))`;
}

/** The parameter `shiftsRelation` expects for its defaults. */
export const shiftDefaults = (): string => JSON.stringify(DEFAULT_SHIFTS);

/**
 * SQL: whether the local time of day `local` (a `time` expression) falls in shift `s` — from its start up to its
 * end, across midnight when it ends before it starts (a single shift from 07:00 to 07:00 is the whole day).
 */
export function inShift(local: string, s: string): string {
  return `CASE WHEN ${s}.starts < ${s}.ends THEN ${local} >= ${s}.starts AND ${local} < ${s}.ends
               ELSE ${local} >= ${s}.starts OR ${local} < ${s}.ends END`;
}
