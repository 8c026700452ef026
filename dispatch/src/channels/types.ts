import type { DeliveryReason, Endpoint, WorkOrder } from '@vigil/store';
import type { Message } from '../message.js';

/** One delivery to make: the endpoint, the order it is about, and its text. */
export interface Outgoing {
  endpoint: Endpoint;
  order: WorkOrder;
  reason: DeliveryReason;
  message: Message;
}

/**
 * Sends one notification; resolves when the receiver accepted it, rejects with VIGIL_ERR_NOTIFY_CHANNEL_FAILED
 * (the reason in its message, never the address or the text) when not.
 */
export type Send = (out: Outgoing) => Promise<void>;
