import { z } from 'zod';
import { idSchema } from './ids.js';
import { MAINTENANCE_RULES } from './presence.js';

/**
 * Alert rules (docs/rules.md "Rules"); one file each in alerts/src/rules/, but `drill` (a safety officer's drill) and
 * `flood_control` (the engine's cap on new alerts, docs/alerts.md "Flood control") and `notification_channel` (a
 * notification channel the dispatch service reports down, docs/homecare.md), which the engine raises itself.
 */
export const ALERT_RULES = [
  'fall',
  'sos',
  'vitals',
  'deterioration',
  'no_vitals_in_bed',
  'bed_exit_night',
  'wandering',
  'inactivity',
  'fire',
  'gas',
  'electrical',
  ...MAINTENANCE_RULES,
  'drill',
] as const;
export const alertRuleSchema = z.enum(ALERT_RULES);
export type AlertRule = z.infer<typeof alertRuleSchema>;

/** Priorities map to IEC 60601-1-8: critical = high priority, high = medium, warning = low, info. */
export const ALERT_PRIORITIES = ['critical', 'high', 'warning', 'info'] as const;
export const alertPrioritySchema = z.enum(ALERT_PRIORITIES);
export type AlertPriority = z.infer<typeof alertPrioritySchema>;

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

export const ALERT_EVENT_TYPES = [
  'raised',
  'updated',
  'escalated',
  'acknowledged',
  'presence',
  'resolved',
  'auto_cleared',
] as const;
export const alertEventTypeSchema = z.enum(ALERT_EVENT_TYPES);
export type AlertEventType = z.infer<typeof alertEventTypeSchema>;

export const RESOLUTION_OUTCOMES = ['assisted', 'false_alarm', 'transferred', 'device_fault', 'other'] as const;
export const resolutionOutcomeSchema = z.enum(RESOLUTION_OUTCOMES);
export type ResolutionOutcome = z.infer<typeof resolutionOutcomeSchema>;

/** An alert as the api and the WebSocket stream show it. Times are ISO 8601 strings. */
export const alertSchema = z.object({
  id: z.uuid(),
  facility: idSchema,
  rule: alertRuleSchema,
  priority: alertPrioritySchema,
  status: alertStatusSchema,
  /** What the alert is about, unique among open alerts of a rule: a resident, device or location id. */
  subject: z.string(),
  resident: idSchema.nullable(),
  device: idSchema.nullable(),
  location: idSchema.nullable(),
  /** Short human-readable reason, e.g. "fall detected (confidence 0.93)". No vital values of residents. */
  detail: z.string(),
  drill: z.boolean(),
  /** 0 = not escalated, 1 = re-pushed to every display of the facility, 2 = escalated to the safety officer. */
  escalationLevel: z.number().int().min(0).max(2),
  raisedAt: z.iso.datetime(),
  /** Device time of the message that raised it. */
  occurredAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  acknowledgedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
  /**
   * When a caregiver was first at the resident (DIN VDE 0834 "presence"): the room's call button `presence` event or
   * marked on the display (docs/alerts.md "Lifecycle"); who (a user, or `device:<id>` for the button).
   */
  presentAt: z.iso.datetime().nullable(),
  presentBy: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  resolvedBy: z.string().nullable(),
  outcome: z.union([resolutionOutcomeSchema, z.literal('auto_cleared')]).nullable(),
  note: z.string().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

/** One lifecycle event: what the alerts service publishes and stores, and what stream clients receive. */
export const alertEventSchema = z.object({
  eventId: z.number().int().positive(),
  event: alertEventTypeSchema,
  at: z.iso.datetime(),
  actor: z.string().nullable(),
  alert: alertSchema,
});
export type AlertEvent = z.infer<typeof alertEventSchema>;
