import { z } from 'zod';

/** The largest message a stream client may send; the api closes the connection on a bigger one. */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/**
 * Most receipts one `receipt` message may carry (a display confirms in small batches): as many as fit in
 * MAX_CLIENT_MESSAGE_BYTES with every field at its longest (receipts.test.ts).
 */
export const MAX_RECEIPTS_PER_MESSAGE = 150;

/**
 * One confirmation by a display (IHE ACM; docs/api.md "WebSocket stream", docs/alerts.md "Receipts"): it received
 * (`delivered`) and/or showed on screen (`shown`) this event of this alert. `eventId` 0: the alert as a snapshot
 * carried it.
 */
export const streamReceiptItemSchema = z
  .strictObject({
    alertId: z.uuid(),
    eventId: z.number().int().nonnegative(),
    delivered: z.literal(true).optional(),
    shown: z.literal(true).optional(),
  })
  .refine((r) => r.delivered || r.shown, { message: 'a receipt says delivered, shown or both' });

/** Client → server, on a live stream: `{"type":"receipt","receipts":[…]}`. */
export const streamReceiptSchema = z.strictObject({
  type: z.literal('receipt'),
  receipts: z.array(streamReceiptItemSchema).min(1).max(MAX_RECEIPTS_PER_MESSAGE),
});
export type StreamReceipt = z.infer<typeof streamReceiptSchema>;
export type StreamReceiptItem = StreamReceipt['receipts'][number];
