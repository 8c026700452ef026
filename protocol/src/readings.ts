import { z } from 'zod';
import type { DeviceKind } from './device-kinds.js';
import { seqSchema, timestampSchema } from './envelope.js';

const range = (min: number, max: number, unit: string) =>
  z.number().min(min, `must be ≥ ${min} ${unit}`).max(max, `must be ≤ ${max} ${unit}`);
const percent = range(0, 100, '%');
const battery = percent;

/** Reading fields per device kind, with units and ranges (docs/PROTOCOL.md "`reading` fields by device kind"). */
export const READING_FIELDS = {
  wristband: {
    hr: range(0, 300, 'bpm'),
    spo2: percent,
    sbp: range(30, 300, 'mmHg'),
    dbp: range(30, 300, 'mmHg'),
    skinTemp: range(20, 45, '°C'),
    worn: z.boolean(),
    /** Activity during the measurement, 0 (still) to 100: SpO2 taken while moving counts less (docs/rules.md). */
    motion: range(0, 100, ''),
    battery,
  },
  bedmat: {
    occupied: z.boolean(),
    hr: range(0, 300, 'bpm'),
    rr: range(0, 80, 'breaths/min'),
    motion: range(0, 100, ''),
    sleep: z.enum(['awake', 'light', 'deep', 'rem']),
  },
  smoke: { smoke: range(0, 100, '%/m'), temp: range(-40, 150, '°C'), battery },
  gas: { lel: range(0, 100, '% LEL'), co: range(0, 10000, 'ppm'), battery },
  electrical: { residualMa: range(0, 10000, 'mA'), cableTemp: range(-40, 200, '°C'), currentA: range(0, 1000, 'A') },
  door: { open: z.boolean(), battery },
  pir: { motion: z.number().int('must be an integer count').min(0, 'must be ≥ 0'), battery },
  button: { battery },
} as const satisfies Record<DeviceKind, z.ZodRawShape>;

/** Human-readable units, used by the generated docs. */
export const READING_UNITS: Record<string, string> = {
  hr: 'bpm',
  spo2: '%',
  sbp: 'mmHg',
  dbp: 'mmHg',
  skinTemp: '°C',
  battery: '%',
  rr: 'breaths/min',
  smoke: '%/m obscuration',
  temp: '°C',
  lel: '% LEL',
  co: 'ppm',
  residualMa: 'mA',
  cableTemp: '°C',
  currentA: 'A',
};

/** The fields of a kind, each optional: a reading carries any non-empty subset. */
function optionalFields(kind: DeviceKind): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(Object.entries(READING_FIELDS[kind]).map(([name, schema]) => [name, schema.optional()]));
}

const atLeastOneField = (kind: DeviceKind) => (value: Record<string, unknown>) =>
  Object.keys(READING_FIELDS[kind]).some((field) => value[field] !== undefined);

function sampleSchema(kind: DeviceKind) {
  return z
    .strictObject({ ts: timestampSchema, ...optionalFields(kind) })
    .refine(atLeastOneField(kind), { message: `a ${kind} reading needs at least one measurement field` });
}

/** A single reading `{seq, ts, …fields}`. */
export function singleReadingSchema(kind: DeviceKind) {
  return z
    .strictObject({ seq: seqSchema, ts: timestampSchema, ...optionalFields(kind) })
    .refine(atLeastOneField(kind), { message: `a ${kind} reading needs at least one measurement field` });
}

/** A batch `{seq, samples: [{ts, …fields}]}` of 1–64 samples; `seq` applies to each sample. */
export function batchReadingSchema(kind: DeviceKind) {
  return z.strictObject({
    seq: seqSchema,
    samples: z.array(sampleSchema(kind)).min(1, 'needs 1 to 64 samples').max(64, 'needs 1 to 64 samples'),
  });
}

/** Either form; the `samples` key selects the batch form, so errors name the real fault. */
export function readingSchema(kind: DeviceKind) {
  const single = singleReadingSchema(kind);
  const batch = batchReadingSchema(kind);
  return z.custom<unknown>().pipe(
    z.unknown().transform((value, ctx) => {
      const schema = typeof value === 'object' && value !== null && 'samples' in value ? batch : single;
      const result = schema.safeParse(value);
      if (result.success) return result.data as { seq: number; ts?: number; samples?: ReadingSample[] };
      for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
      return z.NEVER;
    }),
  );
}

export type ReadingFields = { [K in DeviceKind]: z.infer<z.ZodObject<(typeof READING_FIELDS)[K]>> };
/** One measured sample, batch or not: `{ts, …fields}` with `ts` in epoch milliseconds. */
export type ReadingSample = { ts: number } & Partial<Record<string, number | boolean | string>>;
