import { deviceKindSchema, idSchema } from '@vigil/protocol';
import { z } from 'zod';
import { filingStatusSchema } from '../plans/plans.js';
import { localeSchema } from './messages.js';

/** The coverage report's shape (docs/api.md "Coverage"), the one definition its TypeScript types come from. */
export const requirementAuditSchema = z.object({
  subjectType: z.enum(['place', 'resident']),
  subject: z.string().describe('place id, or resident id (pseudonym for regulators)'),
  device: deviceKindSchema,
  devices: z.array(z.string()),
  present: z.boolean().describe('a device of the kind is there, not retired, at the end of the period'),
  coveredShare: z.number().describe('share of the period one of its devices was registered, not retired, not silent'),
});

export const deviceAuditSchema = z.object({
  device: z.string(),
  kind: deviceKindSchema,
  place: z.string().nullable(),
  resident: z.string().nullable(),
  retiredAt: z.iso.datetime().nullable(),
  onlineShare: z.number(),
  silentGaps: z.array(z.object({ from: z.iso.datetime(), to: z.iso.datetime(), seconds: z.number() })),
  lowestBattery: z.number().nullable(),
  lastTest: z.iso.datetime().nullable().describe('last `test` event; null for kinds without functional tests'),
});

export const alertKindSummarySchema = z.object({
  rule: z.string(),
  drill: z.boolean(),
  count: z.number().int(),
  acknowledged: z.number().int(),
  medianSecondsToAcknowledge: z.number().nullable(),
  maxSecondsToAcknowledge: z.number().nullable(),
  medianSecondsToResolve: z.number().nullable(),
});

export const planAuditSchema = z.object({
  plan: z.string(),
  kind: z.string(),
  filingStatus: filingStatusSchema,
  reviewDue: z.iso.date(),
  reviewOverdue: z.boolean(),
  drillEveryDays: z.number().int(),
  version: z.number().int().nullable(),
  lastDrill: z.iso.datetime().nullable(),
  drillOverdue: z.boolean(),
  missedDrills: z.array(z.iso.datetime()),
});

export const findingSchema = z.object({
  code: z.string().describe('place-missing, retired-not-replaced, silent, low-battery, test-none, … (docs/api.md)'),
  subject: z.string(),
  text: z.string().describe("in the report's locale"),
});

export const coverageReportSchema = z.object({
  facility: idSchema,
  region: z.string(),
  timezone: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime().describe('capped at now'),
  locale: localeSchema,
  policy: z.object({ version: z.number().int().describe('0: the default policy'), createdAt: z.iso.datetime().nullable() }),
  score: z.number().describe('0–100: the mean covered share of every required device'),
  trend: z.array(z.object({ day: z.iso.date(), score: z.number() })),
  requirements: z.array(requirementAuditSchema),
  devices: z.array(deviceAuditSchema),
  alerts: z.array(alertKindSummarySchema),
  plans: z.array(planAuditSchema),
  findings: z.array(findingSchema),
});

export type RequirementAudit = z.infer<typeof requirementAuditSchema>;
export type DeviceAudit = z.infer<typeof deviceAuditSchema>;
export type AlertKindSummary = z.infer<typeof alertKindSummarySchema>;
export type PlanAudit = z.infer<typeof planAuditSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type CoverageReport = z.infer<typeof coverageReportSchema>;
