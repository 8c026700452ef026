import { z } from 'zod';
import {
  alertEventTypeSchema,
  alertPrioritySchema,
  alertRuleSchema,
  alertStatusSchema,
  ALERT_PRIORITIES,
} from './alerts.js';
import { ID_PATTERN, idSchema } from './ids.js';

/**
 * What a facility's gateway uplink sends the regional hub (docs/hub.md "Messages"): pseudonymous by construction —
 * these schemas have no field for a resident's name, id or vital signs; residents appear as their pseudonym.
 */
export const REGION_ROOT = 'vigil/region/v1';
export const REGION_KINDS = ['alert-event', 'device-status', 'summary', 'plan'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];

/** `vigil/region/v1/{facility}/{kind}`: a facility's account may publish under its own prefix only. */
export function regionTopic(facility: string, kind: RegionKind): string {
  return `${REGION_ROOT}/${facility}/${kind}`;
}

/** Every region message of every facility, as one MQTT 5 shared subscription of the hub's workers. */
export function regionSharedFilter(group: string): string {
  return `$share/${group}/${REGION_ROOT}/#`;
}

/** Parses a region topic; `null` for anything that is not exactly one. */
export function parseRegionTopic(topic: string): { facility: string; kind: RegionKind } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts.slice(0, 3).join('/') !== REGION_ROOT) return null;
  const [, , , facility, kind] = parts as [string, string, string, string, string];
  if (!ID_PATTERN.test(facility) || !(REGION_KINDS as readonly string[]).includes(kind)) return null;
  return { facility, kind: kind as RegionKind };
}

const time = z.iso.datetime();

/** One alert lifecycle event; the facility's event id is its identity at the hub. No detail or note text. */
export const regionAlertEventSchema = z.object({
  eventId: z.number().int().positive(),
  event: alertEventTypeSchema,
  at: time,
  alertId: z.uuid(),
  rule: alertRuleSchema,
  priority: alertPrioritySchema,
  status: alertStatusSchema,
  /** The residents table's pseudonym, never the resident id or name. */
  resident: z.string().nullable(),
  device: idSchema.nullable(),
  location: idSchema.nullable(),
  drill: z.boolean(),
  escalationLevel: z.number().int().min(0).max(2),
  raisedAt: time,
  acknowledgedAt: time.nullable(),
  resolvedAt: time.nullable(),
});
export type RegionAlertEvent = z.infer<typeof regionAlertEventSchema>;

/** A device went online or offline (its connection, Last Will or status message), as the gateway saw it. */
export const regionDeviceStatusSchema = z.object({
  device: idSchema,
  online: z.boolean(),
  at: time,
});
export type RegionDeviceStatus = z.infer<typeof regionDeviceStatusSchema>;

export const openAlertCountsSchema = z.object(
  Object.fromEntries(ALERT_PRIORITIES.map((p) => [p, z.number().int().min(0)])) as Record<
    (typeof ALERT_PRIORITIES)[number],
    z.ZodNumber
  >,
);
export type OpenAlertCounts = z.infer<typeof openAlertCountsSchema>;

/** The periodic facility summary; the hub flags a facility silent for longer than `intervalS`. */
export const regionSummarySchema = z.object({
  at: time,
  intervalS: z.number().int().positive(),
  openAlerts: openAlertCountsSchema,
  devicesOnline: z.number().int().min(0),
  devicesOffline: z.number().int().min(0),
  /** 0–1 from the facility's coverage audit; null when the facility has none. */
  coverageScore: z.number().min(0).max(1).nullable(),
});
export type RegionSummary = z.infer<typeof regionSummarySchema>;

/** A drill of a plan as the hub sees it: when, whether it ran, how many took part, the drill alert's response times. */
export const regionPlanDrillSchema = z.object({
  id: z.number().int(),
  scheduledFor: time,
  ranAt: time.nullable(),
  /** How many took part; never who (names stay home), nor the findings text. */
  participants: z.number().int().min(0),
  acknowledgeS: z.number().nullable(),
  resolveS: z.number().nullable(),
});
export type RegionPlanDrill = z.infer<typeof regionPlanDrillSchema>;

/**
 * An emergency plan's record as of `at` (sent when it changes): filing status, review date, drill cadence, the
 * document's version and the drills. The facility + plan id is its identity at the hub; a newer `at` replaces it.
 * No title, document or findings (free text).
 */
export const regionPlanSchema = z.object({
  at: time,
  plan: idSchema,
  kind: z.string().max(32),
  filingStatus: z.enum(['draft', 'filed', 'accepted', 'needs-revision']),
  filingChangedAt: time,
  reviewDue: z.iso.date(),
  drillEveryDays: z.number().int().positive(),
  createdAt: time,
  documentVersion: z.number().int().positive().nullable(),
  drills: z.array(regionPlanDrillSchema),
});
export type RegionPlan = z.infer<typeof regionPlanSchema>;

export const REGION_SCHEMAS = {
  'alert-event': regionAlertEventSchema,
  'device-status': regionDeviceStatusSchema,
  summary: regionSummarySchema,
  plan: regionPlanSchema,
} as const satisfies Record<RegionKind, z.ZodType>;

/** A parsed region message with the facility its topic names (the broker's ACL vouches for it). */
export type RegionMessage =
  | { facility: string; kind: 'alert-event'; body: RegionAlertEvent }
  | { facility: string; kind: 'device-status'; body: RegionDeviceStatus }
  | { facility: string; kind: 'summary'; body: RegionSummary }
  | { facility: string; kind: 'plan'; body: RegionPlan };

/** Validates one region message; `null` when topic or payload is not one (the caller counts and drops it). */
export function parseRegionMessage(topic: string, payload: Buffer | string): RegionMessage | null {
  const parsed = parseRegionTopic(topic);
  if (!parsed) return null;
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    return null;
  }
  const body = REGION_SCHEMAS[parsed.kind].safeParse(json);
  return body.success ? ({ facility: parsed.facility, kind: parsed.kind, body: body.data } as RegionMessage) : null;
}
