import { z } from 'zod';
import { alertEventTypeSchema, alertSchema } from './alerts.js';

/** WebSocket `ws://…/api/v1/stream` messages (docs/api.md "WebSocket stream"). */
export const STREAM_PATH = '/api/v1/stream';
export const STREAM_HELLO_TIMEOUT_MS = 5000;
export const STREAM_HEARTBEAT_MS = 10000;
/** Close code when the hello is missing, late or its token is not valid. */
export const STREAM_CLOSE_UNAUTHORIZED = 4401;

export const streamHelloSchema = z.strictObject({
  type: z.literal('hello'),
  /** Optional when the upgrade request carried the web app's session cookie (docs/api.md "WebSocket stream"). */
  token: z.string().min(1).optional(),
  since: z.number().int().nonnegative().optional(),
});
export type StreamHello = z.infer<typeof streamHelloSchema>;

export const streamSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  alerts: z.array(alertSchema),
  lastEventId: z.number().int().nonnegative(),
});
export const streamAlertSchema = z.object({
  type: z.literal('alert'),
  eventId: z.number().int().positive(),
  event: alertEventTypeSchema,
  alert: alertSchema,
});
export const streamHeartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  lastEventId: z.number().int().nonnegative(),
});
export const streamServerMessageSchema = z.discriminatedUnion('type', [
  streamSnapshotSchema,
  streamAlertSchema,
  streamHeartbeatSchema,
]);
export type StreamServerMessage = z.infer<typeof streamServerMessageSchema>;
