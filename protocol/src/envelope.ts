import { z } from 'zod';

/** Maximum payload size in bytes (PROTOCOL.md "Payload"). */
export const MAX_PAYLOAD_BYTES = 8 * 1024;
/** Maximum MQTT packet size the broker accepts. */
export const MAX_PACKET_BYTES = 16 * 1024;
/** Accepted `ts` window relative to the receiver's clock. */
export const TS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const TS_MAX_FUTURE_MS = 5 * 60 * 1000;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `ts`: an RFC 3339 string or epoch milliseconds; parsed to epoch milliseconds. */
export const timestampSchema = z
  .union([
    z.number().int('epoch milliseconds must be an integer').nonnegative(),
    z.string().regex(RFC3339, 'must be an RFC 3339 timestamp'),
  ])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid time' });
      return z.NEVER;
    }
    return ms;
  });

export const seqSchema = z.number().int('must be an integer').nonnegative('must be ≥ 0');

/** Checks `ts` against [now − 7 days, now + 5 min]; returns a reason or null. */
export function tsWindowViolation(ts: number, now: number): string | null {
  if (ts < now - TS_MAX_AGE_MS) return `ts ${new Date(ts).toISOString()} is more than 7 days old`;
  if (ts > now + TS_MAX_FUTURE_MS) return `ts ${new Date(ts).toISOString()} is more than 5 minutes in the future`;
  return null;
}
