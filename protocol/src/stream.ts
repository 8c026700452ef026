import { z } from 'zod';
import { alertEventTypeSchema, alertSchema } from './alerts.js';
import { idSchema } from './ids.js';

/** WebSocket `ws://…/api/v1/stream` messages (docs/api.md "WebSocket stream"). */
export const STREAM_PATH = '/api/v1/stream';
export const STREAM_HELLO_TIMEOUT_MS = 5000;
export const STREAM_HEARTBEAT_MS = 10000;
/** Close code when the hello is missing, late or its token is not valid. */
export const STREAM_CLOSE_UNAUTHORIZED = 4401;

/**
 * Event ids are numbered per facility (docs/alerts.md "Workers"): where a client is, is each facility's newest
 * event id it has seen. A facility it has no entry for: it has seen none of that facility's events.
 */
export const lastEventIdsSchema = z.record(idSchema, z.number().int().nonnegative());
export type LastEventIds = z.infer<typeof lastEventIdsSchema>;

export const streamHelloSchema = z.strictObject({
  type: z.literal('hello'),
  /** Optional when the upgrade request carried the web app's session cookie (docs/api.md "WebSocket stream"). */
  token: z.string().min(1).optional(),
  /**
   * Resume after these events. What a web app loaded before ids were per facility may send, a bare number (one id
   * for every facility) or null: answered with a snapshot, so an open display keeps working across the upgrade.
   */
  since: z.union([lastEventIdsSchema, z.number().int().nonnegative()]).nullable().optional(),
});
export type StreamHello = z.infer<typeof streamHelloSchema>;

export const streamSnapshotSchema = z.object({
  type: z.literal('snapshot'),
  alerts: z.array(alertSchema),
  lastEventIds: lastEventIdsSchema,
});
export const streamAlertSchema = z.object({
  type: z.literal('alert'),
  eventId: z.number().int().positive(),
  event: alertEventTypeSchema,
  alert: alertSchema,
});
export const streamHeartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  lastEventIds: lastEventIdsSchema,
});
export const streamServerMessageSchema = z.discriminatedUnion('type', [
  streamSnapshotSchema,
  streamAlertSchema,
  streamHeartbeatSchema,
]);
export type StreamServerMessage = z.infer<typeof streamServerMessageSchema>;
