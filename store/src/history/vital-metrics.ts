import { READING_COLUMNS } from '../readings/columns.js';

/** The vital signs (protocol field names) the hourly rollups summarise: `vitals_hourly` has columns for these. */
const METRIC_FIELDS = ['hr', 'spo2', 'rr', 'sbp', 'dbp', 'skinTemp'] as const;
export type VitalMetric = (typeof METRIC_FIELDS)[number];

/** Each summarised vital sign as [column, field], the column taken from the one field ↔ column map. */
export const VITAL_METRICS: ReadonlyArray<readonly [column: string, field: VitalMetric]> = METRIC_FIELDS.map(
  (field) => [READING_COLUMNS.vitals.find((c) => c.field === field)!.column, field] as const,
);

/** `count(hr), sum(hr), min(hr), max(hr), …` over raw vitals rows. */
export const rawAggregates = (): string =>
  VITAL_METRICS.map(
    ([c]) =>
      `count(${c})::int AS ${c}_count, sum(${c})::float8 AS ${c}_sum, min(${c}) AS ${c}_min, max(${c}) AS ${c}_max`,
  ).join(',\n  ');

/** The same aggregates over rows that already hold counts, sums, minima and maxima (rollups, or parts). */
export const combinedAggregates = (): string =>
  VITAL_METRICS.map(
    ([c]) =>
      `sum(${c}_count)::int AS ${c}_count, sum(${c}_sum)::float8 AS ${c}_sum, min(${c}_min) AS ${c}_min, max(${c}_max) AS ${c}_max`,
  ).join(',\n  ');

/** Column list of `vitals_hourly`'s aggregate columns, in the order the aggregates above produce them. */
export const aggregateColumns = (): string =>
  VITAL_METRICS.map(([c]) => `${c}_count, ${c}_sum, ${c}_min, ${c}_max`).join(', ');
