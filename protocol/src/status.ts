import { z } from 'zod';
import { seqSchema, timestampSchema } from './envelope.js';

/** `{online, battery?, fw?, seq?, ts?}`; the Last Will is just `{"online":false}`. */
export const statusSchema = z.strictObject({
  online: z.boolean(),
  battery: z.number().min(0, 'must be ≥ 0 %').max(100, 'must be ≤ 100 %').optional(),
  fw: z.string().max(64).optional(),
  seq: seqSchema.optional(),
  ts: timestampSchema.optional(),
});
export type DeviceStatus = z.infer<typeof statusSchema>;

/** The Last Will payload every device sets on its status topic (retained). */
export const LAST_WILL_PAYLOAD = '{"online":false}';
