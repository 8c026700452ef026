import { z } from 'zod';
import { idSchema } from './ids.js';

/** Notification channels of the dispatch service (docs/homecare.md "Notifications"). */
export const NOTIFY_CHANNELS = ['push', 'email', 'webhook', 'wecom', 'dingtalk'] as const;
export const notifyChannelSchema = z.enum(NOTIFY_CHANNELS);
export type NotifyChannel = z.infer<typeof notifyChannelSchema>;

/**
 * The state of one notification endpoint, published on `channelStatus/{facility}/{endpoint}`: `down` once a
 * delivery has used up its retries, `up` again after the next success.
 */
export const channelStatusSchema = z.object({
  facility: idSchema,
  endpoint: z.number().int().positive(),
  channel: notifyChannelSchema,
  state: z.enum(['up', 'down']),
  at: z.iso.datetime(),
  /** Why the last delivery failed (an SMTP reply, an HTTP status); never an address or a payload. */
  reason: z.string().nullable(),
});
export type ChannelStatus = z.infer<typeof channelStatusSchema>;
