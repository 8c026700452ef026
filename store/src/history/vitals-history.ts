import type { Queryable } from '@vigil/core';
import { idSchema } from '@vigil/protocol';
import { z } from 'zod';
import { HistoryQueryInvalid } from '../errors.js';
import { VITAL_METRICS, combinedAggregates, rawAggregates, type VitalMetric } from '../readings/columns.js';

const HOUR_MS = 3600_000;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** At most this many buckets per query. */
export const MAX_BUCKETS = 5000;
/** Longer ranges are answered from the hourly rollups where the bucket allows it. */
export const RAW_RANGE_LIMIT_MS = 2 * 86_400_000;

/** The refinement both history queries share: a range that is not empty. */
export const fromBeforeTo = (q: { from: Date; to: Date }): boolean => q.from < q.to;
export const FROM_BEFORE_TO = 'from must be before to';

/** `bucket`: seconds, or `30s`, `5m`, `1h`, `1d`, `1w` (also `5 minutes`, `2 hours`, …). */
export const bucketSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^(\d+)\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?)$/, 'must look like 30s, 5m, 1h, 1d')
    .transform((value) => {
      const [, n, unit] = /^(\d+)\s*([a-z])/.exec(value)!;
      return Number(n) * UNIT_SECONDS[unit!]!;
    }),
]);

export const vitalsHistoryQuerySchema = z
  .object({
    facility: idSchema,
    resident: idSchema.optional(),
    device: idSchema.optional(),
    from: z.coerce.date(),
    to: z.coerce.date(),
    bucket: bucketSchema,
  })
  .refine((q) => (q.resident === undefined) !== (q.device === undefined), 'give exactly one of resident or device')
  .refine(fromBeforeTo, FROM_BEFORE_TO);
export type VitalsHistoryQuery = z.input<typeof vitalsHistoryQuerySchema>;

export interface VitalStat {
  count: number;
  min: number;
  avg: number;
  max: number;
}
export type VitalsBucket = { time: Date; samples: number } & Record<VitalMetric, VitalStat | null>;
export interface VitalsHistory {
  bucketSeconds: number;
  /** `raw` (time_bucket over readings), `rollup` (hourly rollups) or `mixed` (rollups, raw for the edges). */
  source: 'raw' | 'rollup' | 'mixed';
  buckets: VitalsBucket[];
}

/**
 * Vital signs of one resident or device in buckets of any size: count, min, average and max per sign.
 * Raw readings go through `time_bucket`; for long ranges with whole-hour buckets the completed hourly
 * rollups are used instead, and raw rows only for the edges the rollups do not cover.
 */
export async function vitalsHistory(db: Queryable, query: VitalsHistoryQuery): Promise<VitalsHistory> {
  const parsed = vitalsHistoryQuerySchema.safeParse(query);
  if (!parsed.success) throw HistoryQueryInvalid(parsed.error.issues.map((i) => i.message).join('; '));
  const q = parsed.data;
  const from = q.from.getTime();
  const to = q.to.getTime();
  const bucketMs = q.bucket * 1000;
  if ((to - from) / bucketMs > MAX_BUCKETS) {
    throw HistoryQueryInvalid(`${Math.ceil((to - from) / bucketMs)} buckets requested; at most ${MAX_BUCKETS}`);
  }
  // Rollups serve [r1, r2): whole hours inside the range that the rollup job has completed.
  let r1 = to;
  let r2 = to;
  if (bucketMs % HOUR_MS === 0 && to - from > RAW_RANGE_LIMIT_MS) {
    const { rows } = await db.query("SELECT done_until AS done FROM ingest_rollup_state WHERE job = 'hourly'");
    const done: number = rows[0]?.done?.getTime() ?? 0;
    const start = Math.ceil(from / HOUR_MS) * HOUR_MS;
    const end = Math.min(Math.floor(to / HOUR_MS) * HOUR_MS, done);
    if (end > start) [r1, r2] = [start, end];
  }
  const subject = q.resident !== undefined ? 'resident_id' : 'device_id';
  const { rows } = await db.query(
    `WITH parts AS (
       SELECT time_bucket($1::interval, time) AS bucket, count(*)::int AS samples,
         ${rawAggregates()}
       FROM vitals
       WHERE facility_id = $2 AND ${subject} = $3
         AND ((time >= $4 AND time < $5) OR (time >= $6 AND time < $7))
       GROUP BY 1
       UNION ALL
       SELECT time_bucket($1::interval, bucket), sum(samples)::int,
         ${combinedAggregates()}
       FROM vitals_hourly
       WHERE facility_id = $2 AND ${subject} = $3 AND bucket >= $5 AND bucket < $6
       GROUP BY 1
     )
     SELECT bucket, sum(samples)::int AS samples, ${combinedAggregates()}
     FROM parts GROUP BY bucket ORDER BY bucket`,
    [
      `${q.bucket} seconds`,
      q.facility,
      q.resident ?? q.device,
      new Date(from),
      new Date(r1),
      new Date(r2),
      new Date(to),
    ],
  );
  return {
    bucketSeconds: q.bucket,
    source: r1 === r2 ? 'raw' : r1 === from && r2 === to ? 'rollup' : 'mixed',
    buckets: rows.map(toBucket),
  };
}

function toBucket(row: Record<string, unknown>): VitalsBucket {
  const bucket = { time: row.bucket as Date, samples: row.samples as number } as VitalsBucket;
  for (const [column, name] of VITAL_METRICS) {
    const count = row[`${column}_count`] as number;
    bucket[name] = count
      ? {
          count,
          min: row[`${column}_min`] as number,
          avg: (row[`${column}_sum`] as number) / count,
          max: row[`${column}_max`] as number,
        }
      : null;
  }
  return bucket;
}
