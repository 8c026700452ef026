import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_MESSAGE_BYTES, MAX_RECEIPTS_PER_MESSAGE, streamReceiptSchema } from './receipts.js';

describe('receipt messages', () => {
  const receipt = {
    alertId: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
    eventId: Number.MAX_SAFE_INTEGER,
    delivered: true,
    shown: true,
  } as const;

  it('the most receipts a message may carry fit in the largest client message, every field at its longest', () => {
    const message = { type: 'receipt', receipts: Array.from({ length: MAX_RECEIPTS_PER_MESSAGE }, () => receipt) };
    expect(streamReceiptSchema.safeParse(message).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(MAX_CLIENT_MESSAGE_BYTES);
  });

  it('refuses one more', () => {
    const receipts = Array.from({ length: MAX_RECEIPTS_PER_MESSAGE + 1 }, () => receipt);
    expect(streamReceiptSchema.safeParse({ type: 'receipt', receipts }).success).toBe(false);
  });
});
