import { z } from 'zod';
import {
  alertPrioritySchema,
  alertRuleSchema,
  idSchema,
  notifyChannelSchema,
  type NotifyChannel,
} from '@vigil/protocol';
import type { Queryable } from '@vigil/core';
import { registryError } from '../errors.js';

/** Where a channel delivers: an address, a URL (with its signing secret), or a browser's push subscription. */
export const endpointTargetSchema = z.union([
  z.object({ email: z.email() }),
  z.object({ url: z.url(), secret: z.string().min(1).optional() }),
  z.object({
    subscription: z.object({
      endpoint: z.url(),
      keys: z.object({ p256dh: z.string().min(1), auth: z.string().min(1) }),
    }),
  }),
]);
export type EndpointTarget = z.infer<typeof endpointTargetSchema>;

export const endpointInputSchema = z.object({
  facility: idSchema,
  /** A staff member's own endpoint; neither user nor contact: the station's (a group robot). */
  user: idSchema.optional(),
  contact: z.number().int().positive().optional(),
  channel: notifyChannelSchema,
  target: endpointTargetSchema,
});
export type EndpointInput = z.infer<typeof endpointInputSchema>;

export interface Endpoint {
  id: number;
  facility: string;
  user: string | null;
  contact: number | null;
  channel: NotifyChannel;
  target: EndpointTarget;
}

const COLUMNS = `e.id::int AS id, e.facility_id AS facility, e.user_id AS "user", e.contact_id::int AS contact, e.channel,
  e.target`;

export async function addEndpoint(db: Queryable, input: EndpointInput): Promise<number> {
  const e = endpointInputSchema.parse(input);
  const { rows } = await db
    .query<{ id: number }>(
      `INSERT INTO notification_endpoints (facility_id, user_id, contact_id, channel, target)
       VALUES ($1, $2, $3, $4, $5) RETURNING id::int AS id`,
      [e.facility, e.user ?? null, e.contact ?? null, e.channel, JSON.stringify(e.target)],
    )
    .catch((err) => registryError(err, `notification endpoint of ${e.facility}`));
  return rows[0]!.id;
}

/** An endpoint that is still in use (null once removed). */
export async function getEndpoint(db: Queryable, id: number): Promise<Endpoint | null> {
  const { rows } = await db.query<Endpoint>(
    `SELECT ${COLUMNS} FROM notification_endpoints e WHERE e.id = $1 AND e.disabled_at IS NULL`,
    [id],
  );
  return rows[0] ?? null;
}

/** The user's endpoints, or a station's own ones (`user` null). */
export async function listEndpoints(db: Queryable, facility: string, user: string | null): Promise<Endpoint[]> {
  const { rows } = await db.query<Endpoint>(
    `SELECT ${COLUMNS} FROM notification_endpoints e
     WHERE e.facility_id = $1 AND e.disabled_at IS NULL AND e.contact_id IS NULL AND e.user_id IS NOT DISTINCT FROM $2
     ORDER BY e.id`,
    [facility, user],
  );
  return rows;
}

/** Removes one of a user's endpoints (e.g. a phone's expired push subscription); false when it is not theirs. */
export async function disableEndpoint(db: Queryable, id: number, user: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE notification_endpoints SET disabled_at = $3 WHERE id = $1 AND user_id = $2 AND disabled_at IS NULL',
    [id, user, at],
  );
  return rowCount === 1;
}

/**
 * The endpoints of the consenting family contacts of a resident: only they are told, and only of critical alerts
 * (the caller's decision).
 */
export async function consentingContactEndpoints(
  db: Queryable,
  facility: string,
  resident: string,
): Promise<Endpoint[]> {
  const { rows } = await db.query<Endpoint>(
    `SELECT ${COLUMNS} FROM notification_endpoints e JOIN resident_contacts c ON c.id = e.contact_id
     WHERE c.facility_id = $1 AND c.resident_id = $2 AND c.consented_at IS NOT NULL AND e.disabled_at IS NULL
     ORDER BY e.id`,
    [facility, resident],
  );
  return rows;
}

export const preferenceSchema = z.object({
  channel: notifyChannelSchema,
  /** Absent: every rule. */
  rules: z.array(alertRuleSchema).optional(),
  priorities: z.array(alertPrioritySchema),
});
export type Preference = z.infer<typeof preferenceSchema>;

export const quietHoursSchema = z.object({
  starts: z.string().regex(/^\d{2}:\d{2}$/),
  ends: z.string().regex(/^\d{2}:\d{2}$/),
});
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** What a user asked for: per channel which rules and priorities, and the quiet hours. */
export interface UserPreferences {
  preferences: Preference[];
  quietHours: QuietHours | null;
}

export async function getPreferences(db: Queryable, user: string): Promise<UserPreferences> {
  const prefs = await db.query<Preference>(
    `SELECT channel, rules, priorities FROM notification_preferences WHERE user_id = $1 ORDER BY channel`,
    [user],
  );
  const quiet = await db.query<QuietHours>(
    `SELECT to_char(starts, 'HH24:MI') AS starts, to_char(ends, 'HH24:MI') AS ends
     FROM notification_quiet_hours WHERE user_id = $1`,
    [user],
  );
  return {
    preferences: prefs.rows.map((p) => ({ ...p, rules: p.rules ?? undefined })),
    quietHours: quiet.rows[0] ?? null,
  };
}

/** Replaces a user's preferences and quiet hours. */
export async function setPreferences(db: Queryable, user: string, p: UserPreferences): Promise<void> {
  const prefs = JSON.stringify(p.preferences.map((x) => ({ ...x, rules: x.rules ?? null })));
  await db
    .query(
      `INSERT INTO notification_preferences (user_id, channel, rules, priorities)
       SELECT $1, x.channel, x.rules, x.priorities
       FROM jsonb_to_recordset($2::jsonb) AS x (channel text, rules text[], priorities text[])
       ON CONFLICT (user_id, channel) DO UPDATE SET rules = EXCLUDED.rules, priorities = EXCLUDED.priorities`,
      [user, prefs],
    )
    .catch((err) => registryError(err, `preferences of ${user}`));
  await db.query(
    `DELETE FROM notification_preferences WHERE user_id = $1
     AND channel NOT IN (SELECT x.channel FROM jsonb_to_recordset($2::jsonb) AS x (channel text))`,
    [user, prefs],
  );
  await db.query(
    p.quietHours
      ? `INSERT INTO notification_quiet_hours (user_id, starts, ends) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET starts = EXCLUDED.starts, ends = EXCLUDED.ends`
      : 'DELETE FROM notification_quiet_hours WHERE user_id = $1',
    p.quietHours ? [user, p.quietHours.starts, p.quietHours.ends] : [user],
  );
}
