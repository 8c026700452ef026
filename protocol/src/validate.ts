import { z } from 'zod';
import type { DeviceKind } from './device-kinds.js';
import { MAX_PAYLOAD_BYTES, tsWindowViolation } from './envelope.js';
import { eventSchema, type DeviceEvent } from './events.js';
import { readingSchema, type ReadingSample } from './readings.js';
import { statusSchema, type DeviceStatus } from './status.js';
import type { TopicKind } from './topics.js';

export type ParsedMessage =
  | { kind: 'reading'; seq: number; samples: ReadingSample[] }
  | { kind: 'event'; event: DeviceEvent }
  | { kind: 'status'; status: DeviceStatus };

export type ParseResult = { ok: true; message: ParsedMessage } | { ok: false; reason: string };

/** Renders zod issues as one readable line: `samples.0.hr: must be ≤ 300 bpm; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

// zod schemas are built once per (topic kind, device kind): they sit on the hot path of every message.
const readingSchemas = new Map<DeviceKind, ReturnType<typeof readingSchema>>();
const eventSchemas = new Map<DeviceKind, ReturnType<typeof eventSchema>>();
function cached<S>(cache: Map<DeviceKind, S>, kind: DeviceKind, build: (kind: DeviceKind) => S): S {
  let schema = cache.get(kind);
  if (!schema) cache.set(kind, (schema = build(kind)));
  return schema;
}

/**
 * Validates one device message per PROTOCOL.md: size, JSON, schema for the device's kind, and the `ts`
 * window against `now`. Never throws: a failure is a readable reason for the dead-letter table.
 */
export function parseDeviceMessage(
  topicKind: TopicKind,
  deviceKind: DeviceKind,
  payload: Buffer | string,
  now: number,
): ParseResult {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload is ${size} bytes, over the 8 KiB limit` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch (err) {
    return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'payload must be a JSON object' };
  }
  switch (topicKind) {
    case 'reading': {
      const result = cached(readingSchemas, deviceKind, readingSchema).safeParse(json);
      if (!result.success)
        return { ok: false, reason: `invalid ${deviceKind} reading: ${describeIssues(result.error)}` };
      const { seq, ...rest } = result.data as { seq: number; samples?: ReadingSample[] } & ReadingSample;
      const samples = rest.samples ?? [rest as ReadingSample];
      for (const sample of samples) {
        const violation = tsWindowViolation(sample.ts, now);
        if (violation) return { ok: false, reason: violation };
      }
      return { ok: true, message: { kind: 'reading', seq, samples } };
    }
    case 'event': {
      const result = cached(eventSchemas, deviceKind, eventSchema).safeParse(json);
      if (!result.success) return { ok: false, reason: `invalid ${deviceKind} event: ${describeIssues(result.error)}` };
      const violation = tsWindowViolation(result.data.ts, now);
      if (violation) return { ok: false, reason: violation };
      return { ok: true, message: { kind: 'event', event: result.data } };
    }
    case 'status': {
      const result = statusSchema.safeParse(json);
      if (!result.success) return { ok: false, reason: `invalid status: ${describeIssues(result.error)}` };
      const violation = result.data.ts === undefined ? null : tsWindowViolation(result.data.ts, now);
      if (violation) return { ok: false, reason: violation };
      return { ok: true, message: { kind: 'status', status: result.data } };
    }
    case 'command':
      return { ok: false, reason: 'devices do not publish on their command topic' };
  }
}
