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
