import { z } from 'zod';

/** Facility, device, resident and location ids: `[A-Za-z0-9_-]{1,64}` (PROTOCOL.md "Connection"). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const idSchema = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9_-]{1,64}');
export type Id = z.infer<typeof idSchema>;
