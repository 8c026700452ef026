import { z } from 'zod';

export const DEVICE_KINDS = ['wristband', 'bedmat', 'smoke', 'gas', 'electrical', 'door', 'pir', 'button'] as const;
export const deviceKindSchema = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

export const LOCATION_KINDS = ['room', 'bathroom', 'kitchen', 'corridor', 'exit', 'board', 'dwelling'] as const;
export const locationKindSchema = z.enum(LOCATION_KINDS);
export type LocationKind = z.infer<typeof locationKindSchema>;

export const CARE_LEVELS = ['self-care', 'semi-dependent', 'fully-dependent'] as const;
export const careLevelSchema = z.enum(CARE_LEVELS);
export type CareLevel = z.infer<typeof careLevelSchema>;

/** Which hypertable a `reading` of each device kind is stored in. */
export const READING_TABLE: Record<DeviceKind, 'vitals' | 'environment'> = {
  wristband: 'vitals',
  bedmat: 'vitals',
  smoke: 'environment',
  gas: 'environment',
  electrical: 'environment',
  door: 'environment',
  pir: 'environment',
  button: 'environment',
};
