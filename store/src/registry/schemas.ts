import { z } from 'zod';
import { careLevelSchema, deviceKindSchema, idSchema, locationKindSchema, type DeviceKind } from '@vigil/protocol';

/** Default expected reporting interval per device kind, seconds (device-offline = 3× this without a message). */
export const DEFAULT_EXPECTED_INTERVAL_S: Record<DeviceKind, number> = {
  wristband: 60,
  bedmat: 30,
  smoke: 300,
  gas: 300,
  electrical: 300,
  door: 3600,
  pir: 600,
  button: 3600,
};

const timezoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Europe/Berlin' },
);

export const facilityInputSchema = z.object({
  id: idSchema,
  name: z.string().min(1).max(200),
  region: idSchema,
  timezone: timezoneSchema,
});
export type FacilityInput = z.infer<typeof facilityInputSchema>;

export const locationInputSchema = z.object({
  facility: idSchema,
  id: idSchema,
  kind: locationKindSchema,
  name: z.string().max(200).optional(),
});
export type LocationInput = z.infer<typeof locationInputSchema>;

export const FALL_RISKS = ['none', 'at-risk', 'high'] as const;
export const residentInputSchema = z.object({
  facility: idSchema,
  id: idSchema,
  name: z.string().max(200).optional(),
  careLevel: careLevelSchema,
  fallRisk: z.enum(FALL_RISKS).default('none'),
  wanderRisk: z.boolean().default(false),
  location: idSchema.optional(),
});
export type ResidentInput = z.input<typeof residentInputSchema>;

export const deviceInputSchema = z.object({
  facility: idSchema,
  id: idSchema,
  kind: deviceKindSchema,
  resident: idSchema.optional(),
  location: idSchema.optional(),
  expectedIntervalS: z.number().int().positive().optional(),
});
export type DeviceInput = z.infer<typeof deviceInputSchema>;

export const SERVICE_ROLES = ['ingest', 'alerts', 'api', 'bridge', 'simulator', 'dispatch'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export const TOKEN_ROLES = ['caregiver', 'safety-officer', 'regulator', 'admin', 'display'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];
export const tokenInputSchema = z
  .object({
    role: z.enum(TOKEN_ROLES),
    facility: idSchema.optional(),
    region: idSchema.optional(),
    user: idSchema.optional(),
    label: z.string().max(200).optional(),
    /** Absent: never expires (programs the operator created on the server); sessions always expire. */
    expiresAt: z.date().optional(),
    kind: z.enum(['token', 'session']).default('token'),
    /** Who created it (an actor), for the token list and the audit log. */
    createdBy: z.string().max(200).optional(),
  })
  .refine((t) => !['caregiver', 'safety-officer', 'display'].includes(t.role) || t.facility, {
    message: 'caregiver, safety-officer and display tokens need --facility',
  })
  .refine((t) => t.role !== 'regulator' || t.region, { message: 'regulator tokens need --region' });
export type TokenInput = z.input<typeof tokenInputSchema>;

export const USER_ROLES = ['caregiver', 'safety-officer', 'regulator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** Users sign in with their id as the username. */
export const userInputSchema = z
  .object({
    id: idSchema,
    name: z.string().min(1).max(200),
    role: z.enum(USER_ROLES),
    facility: idSchema.optional(),
    region: idSchema.optional(),
  })
  .refine((u) => !['caregiver', 'safety-officer'].includes(u.role) || u.facility, {
    message: 'caregivers and safety officers need a facility',
  })
  .refine((u) => u.role !== 'regulator' || u.region, { message: 'regulators need a region' });
export type UserInput = z.infer<typeof userInputSchema>;
/** At least 10 characters (NIST SP 800-63B asks for 8; a care home's shared terminals argue for more), at most 256. */
export const passwordSchema = z.string().min(10).max(256);
