import { z } from 'zod';
import { idSchema } from '@vigil/protocol';
import type { Queryable } from '@vigil/core';
import { registryError } from '../errors.js';

export const shiftInputSchema = z.object({
  facility: idSchema,
  user: idSchema,
  startsAt: z.date(),
  endsAt: z.date(),
  /** The district the staff member covers; absent: the whole station. */
  district: z.string().min(1).max(100).optional(),
  lead: z.boolean().default(false),
});
export type ShiftInput = z.input<typeof shiftInputSchema>;

export async function addShift(db: Queryable, input: ShiftInput): Promise<number> {
  const s = shiftInputSchema.parse(input);
  const { rows } = await db
    .query<{ id: number }>(
      `INSERT INTO staff_shifts (facility_id, user_id, starts_at, ends_at, district, lead)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::int AS id`,
      [s.facility, s.user, s.startsAt, s.endsAt, s.district ?? null, s.lead],
    )
    .catch((err) => registryError(err, `shift of ${s.user}`));
  return rows[0]!.id;
}

export interface Shift {
  id: number;
  facility: string;
  user: string;
  startsAt: Date;
  endsAt: Date;
  district: string | null;
  lead: boolean;
}

const SHIFT_COLUMNS = `id::int AS id, facility_id AS facility, user_id AS "user", starts_at AS "startsAt",
  ends_at AS "endsAt", district, lead`;

/** A station's shifts overlapping [from, to), or one user's, by start. */
export async function listShifts(
  db: Queryable,
  facility: string,
  filter: { from: Date; to: Date; user?: string },
): Promise<Shift[]> {
  const { rows } = await db.query<Shift>(
    `SELECT ${SHIFT_COLUMNS} FROM staff_shifts
     WHERE facility_id = $1 AND ends_at > $2 AND starts_at < $3 AND ($4::text IS NULL OR user_id = $4)
     ORDER BY starts_at, id`,
    [facility, filter.from, filter.to, filter.user ?? null],
  );
  return rows;
}

export async function getShift(db: Queryable, facility: string, id: number): Promise<Shift | null> {
  const { rows } = await db.query<Shift>(
    `SELECT ${SHIFT_COLUMNS} FROM staff_shifts WHERE facility_id = $1 AND id = $2`,
    [facility, id],
  );
  return rows[0] ?? null;
}

export const shiftChangeSchema = shiftInputSchema
  .pick({ startsAt: true, endsAt: true, lead: true })
  .partial()
  .extend({ district: z.string().min(1).max(100).nullable().optional() });
export type ShiftChange = z.input<typeof shiftChangeSchema>;

/** Changes what is given of a shift (district null: the whole station); null when there is no such shift. */
export async function updateShift(
  db: Queryable,
  facility: string,
  id: number,
  change: ShiftChange,
): Promise<Shift | null> {
  const c = shiftChangeSchema.parse(change);
  const { rows } = await db
    .query<Shift>(
      `UPDATE staff_shifts SET starts_at = COALESCE($2, starts_at), ends_at = COALESCE($3, ends_at),
         lead = COALESCE($4, lead), district = CASE WHEN $5 THEN $6 ELSE district END
       WHERE id = $1 AND facility_id = $7 RETURNING ${SHIFT_COLUMNS}`,
      [
        id,
        c.startsAt ?? null,
        c.endsAt ?? null,
        c.lead ?? null,
        c.district !== undefined,
        c.district ?? null,
        facility,
      ],
    )
    .catch((err) => registryError(err, `shift ${id}`));
  return rows[0] ?? null;
}

/** Deletes a shift (its history is the audit log's); false when there is no such shift. */
export async function removeShift(db: Queryable, facility: string, id: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM staff_shifts WHERE id = $1 AND facility_id = $2', [id, facility]);
  return rowCount === 1;
}

/** Who is on duty at `at`: staff covering `district` (or the whole station), and the leads. */
export async function onDuty(
  db: Queryable,
  facility: string,
  district: string | null,
  at: Date,
): Promise<{ staff: string[]; leads: string[] }> {
  const { rows } = await db.query<{ user: string; lead: boolean }>(
    `SELECT DISTINCT s.user_id AS "user", s.lead FROM staff_shifts s JOIN users u ON u.id = s.user_id
     WHERE s.facility_id = $1 AND s.starts_at <= $3 AND s.ends_at > $3 AND u.disabled_at IS NULL
       AND (s.lead OR s.district IS NULL OR s.district = $2)
     ORDER BY 1`,
    [facility, district, at],
  );
  return {
    staff: rows.filter((r) => !r.lead).map((r) => r.user),
    leads: rows.filter((r) => r.lead).map((r) => r.user),
  };
}
