import { z } from 'zod';
import type { DeviceKind } from './device-kinds.js';
import { seqSchema, timestampSchema } from './envelope.js';

const hazardTypes = ['alarm', 'clear', 'test', 'fault', 'tamper'] as const;

/** Event types per device kind (docs/PROTOCOL.md "`event` types by device kind"). */
export const EVENT_TYPES = {
  wristband: ['fall', 'sos', 'removed'],
  bedmat: ['bed_exit', 'bed_enter'],
  // `presence`: the caregiver's presence key in the room (DIN VDE 0834), docs/alerts.md "Presence at the resident".
  button: ['sos', 'cancel', 'presence'],
  door: ['open', 'close'],
  pir: ['motion'],
  smoke: hazardTypes,
  gas: hazardTypes,
  electrical: hazardTypes,
} as const satisfies Record<DeviceKind, readonly string[]>;

export type EventType = (typeof EVENT_TYPES)[DeviceKind][number];

/** `{seq, ts, type, …}`; a wristband `fall` may carry `confidence` 0–1. */
export function eventSchema(kind: DeviceKind) {
  const types = EVENT_TYPES[kind] as unknown as [string, ...string[]];
  return z
    .strictObject({
      seq: seqSchema,
      ts: timestampSchema,
      type: z.enum(types, { message: `must be one of ${types.join(', ')} for a ${kind}` }),
      confidence: z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1').optional(),
    })
    .refine((event) => event.confidence === undefined || (kind === 'wristband' && event.type === 'fall'), {
      message: 'confidence is only allowed on a wristband fall event',
      path: ['confidence'],
    });
}

export type DeviceEvent = z.infer<ReturnType<typeof eventSchema>>;
