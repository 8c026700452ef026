import { z } from 'zod';
import { DEFAULT_NIGHT_WINDOW } from '@vigil/protocol';

/**
 * Rule settings: every threshold and window of docs/rules.md "Settings", with its default. Times are milliseconds,
 * measurements are in the protocol's units. A facility's `settings` jsonb and a resident's `thresholds` jsonb
 * hold partial overrides of the same shape (e.g. `{"vitals":{"hrAbove":140}}`); the resident's win.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const enabled = z.boolean();
const duration = (max: number) => z.number().int('must be whole milliseconds').min(0).max(max);
const measure = (min: number, max: number) => z.number().min(min).max(max);
/** A time-weighted average's window: at least a minute, so there is something to average. */
const averagingWindow = z
  .number()
  .int('must be whole milliseconds')
  .min(MINUTE)
  .max(8 * HOUR);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

/** Leaf schemas, one object per rule (plus the facility's night window). */
const SECTIONS = {
  night: { start: clockTime, end: clockTime },
  fall: { enabled, minConfidence: measure(0, 1), confirmMs: duration(HOUR), watchMs: duration(12 * HOUR) },
  sos: { enabled, cancelWindowMs: duration(10 * MINUTE) },
  vitals: {
    enabled,
    hrBelow: measure(0, 300),
    hrAbove: measure(0, 300),
    spo2Below: measure(0, 100),
    spo2CriticalBelow: measure(0, 100),
    rrBelow: measure(0, 80),
    rrAbove: measure(0, 80),
    sustainMs: duration(HOUR),
    spo2CriticalSustainMs: duration(HOUR),
    /** A wristband sample with `motion` at least this was taken during movement (its SpO2 counts less). */
    motionAtLeast: measure(0, 100),
    /** Samples further apart than this (or 2× the device's expected interval) do not make one sustained run. */
    maxGapMs: duration(HOUR),
    sbpAtLeast: measure(30, 300),
    sbpAtMost: measure(30, 300),
    dbpAtLeast: measure(30, 300),
    bpReadings: z.number().int().min(1).max(10),
  },
  deterioration: {
    enabled,
    /** NEWS2 SpO2 scale: 2 for a resident with hypercapnic respiratory failure (a clinician's decision). */
    spo2Scale: z.union([z.literal(1), z.literal(2)]),
    sustainMs: duration(HOUR),
    /** Respiration rate, SpO2 and pulse older than this (device time) no longer count. */
    freshMs: duration(HOUR),
    /** Systolic blood pressure, a spot measurement, counts this long. */
    bpFreshMs: duration(24 * HOUR),
  },
  noVitalsInBed: { enabled, sustainMs: duration(HOUR), maxGapMs: duration(HOUR) },
  bedExitNight: { enabled, afterMs: duration(12 * HOUR), confirmMs: duration(10 * MINUTE) },
  wandering: { enabled, bedExitWithinMs: duration(HOUR) },
  inactivity: { enabled, silenceMs: duration(7 * 24 * HOUR) },
  fire: {
    enabled,
    smokeAtLeast: measure(0, 100),
    tempAtLeast: measure(-40, 150),
    risePerMinAtLeast: measure(0.1, 100),
    riseWindowMs: duration(HOUR),
  },
  gas: {
    enabled,
    lelHighAtLeast: measure(0, 100),
    lelCriticalAtLeast: measure(0, 100),
    coHighAtLeast: measure(0, 10000),
    coHighWindowMs: averagingWindow,
    coCriticalAtLeast: measure(0, 10000),
    coCriticalWindowMs: averagingWindow,
    coImmediateAtLeast: measure(0, 10000),
  },
  electrical: { enabled, residualMaAtLeast: measure(0, 10000), cableTempAtLeast: measure(-40, 200) },
  deviceOffline: { enabled, silenceFactor: measure(1, 100), willGraceMs: duration(10 * MINUTE) },
  lowBattery: { enabled, belowPct: measure(0, 100), clearAtPct: measure(0, 100) },
  bandNotWorn: { enabled, afterMs: duration(24 * HOUR) },
  connectivity: { enabled, minDevices: z.number().int().min(2).max(10000), windowMs: duration(10 * MINUTE) },
} satisfies Record<string, z.ZodRawShape>;

type Sections = typeof SECTIONS;
type SectionName = keyof Sections;
export type RuleSettings = { [S in SectionName]: z.infer<z.ZodObject<Sections[S]>> };
export type RuleOverrides = { [S in SectionName]?: Partial<RuleSettings[S]> };

/** The defaults of docs/rules.md "Settings and overrides". */
export const DEFAULT_SETTINGS: RuleSettings = {
  night: { ...DEFAULT_NIGHT_WINDOW },
  fall: { enabled: true, minConfidence: 0.7, confirmMs: 2 * MINUTE, watchMs: 30 * MINUTE },
  sos: { enabled: true, cancelWindowMs: 30_000 },
  vitals: {
    enabled: true,
    hrBelow: 40,
    hrAbove: 130,
    spo2Below: 90,
    spo2CriticalBelow: 85,
    rrBelow: 8,
    rrAbove: 30,
    sustainMs: MINUTE,
    spo2CriticalSustainMs: 15_000,
    motionAtLeast: 20,
    maxGapMs: 30_000,
    sbpAtLeast: 180,
    sbpAtMost: 90,
    dbpAtLeast: 120,
    bpReadings: 2,
  },
  deterioration: { enabled: true, spo2Scale: 1, sustainMs: 5 * MINUTE, freshMs: 5 * MINUTE, bpFreshMs: 2 * HOUR },
  noVitalsInBed: { enabled: true, sustainMs: 20_000, maxGapMs: 30_000 },
  bedExitNight: { enabled: true, afterMs: 10 * MINUTE, confirmMs: 15_000 },
  wandering: { enabled: true, bedExitWithinMs: 10 * MINUTE },
  inactivity: { enabled: true, silenceMs: 12 * HOUR },
  fire: { enabled: true, smokeAtLeast: 10, tempAtLeast: 57, risePerMinAtLeast: 8, riseWindowMs: MINUTE },
  gas: {
    enabled: true,
    lelHighAtLeast: 10,
    lelCriticalAtLeast: 25,
    coHighAtLeast: 50,
    coHighWindowMs: HOUR,
    coCriticalAtLeast: 100,
    coCriticalWindowMs: 10 * MINUTE,
    coImmediateAtLeast: 300,
  },
  electrical: { enabled: true, residualMaAtLeast: 300, cableTempAtLeast: 70 },
  deviceOffline: { enabled: true, silenceFactor: 3, willGraceMs: 30_000 },
  lowBattery: { enabled: true, belowPct: 15, clearAtPct: 20 },
  bandNotWorn: { enabled: true, afterMs: 30 * MINUTE },
  connectivity: { enabled: true, minDevices: 5, windowMs: 30_000 },
};

const sectionNames = Object.keys(SECTIONS) as SectionName[];

function buildOverridesSchema() {
  const shape: Record<string, z.ZodType> = {};
  for (const name of sectionNames) shape[name] = z.strictObject(SECTIONS[name]).partial().optional();
  return z.strictObject(shape) as unknown as z.ZodType<RuleOverrides>;
}

/** Strict schema of an overrides document: the api validates facility settings and resident thresholds with it. */
export const ruleOverridesSchema = buildOverridesSchema();

/** Full settings with defaults: `ruleSettingsSchema.parse({})` is DEFAULT_SETTINGS. */
export const ruleSettingsSchema = ruleOverridesSchema.transform((overrides) =>
  mergeSettings(DEFAULT_SETTINGS, overrides),
);

export interface ParsedOverrides {
  overrides: RuleOverrides;
  /** Readable problems with the parts that were ignored, e.g. `vitals.hrAbove: Too big: expected number to be <=300`. */
  issues: string[];
}

/**
 * Lenient parse of a stored overrides document: every valid leaf is kept, every invalid or unknown one is
 * dropped and reported. One mistyped threshold must not switch a resident's other overrides off.
 */
export function parseOverrides(value: unknown): ParsedOverrides {
  const overrides: Record<string, Record<string, unknown>> = {};
  const issues: string[] = [];
  if (value === null || value === undefined) return { overrides, issues };
  if (typeof value !== 'object' || Array.isArray(value)) return { overrides, issues: ['overrides must be an object'] };
  for (const [name, section] of Object.entries(value)) {
    const leaves = (SECTIONS as unknown as Record<string, Record<string, z.ZodType>>)[name];
    if (!leaves) {
      issues.push(`${name}: unknown rule setting`);
      continue;
    }
    if (typeof section !== 'object' || section === null || Array.isArray(section)) {
      issues.push(`${name}: must be an object`);
      continue;
    }
    for (const [key, raw] of Object.entries(section)) {
      const leaf = leaves[key];
      const parsed = leaf?.safeParse(raw);
      if (!parsed) issues.push(`${name}.${key}: unknown setting`);
      else if (!parsed.success) issues.push(`${name}.${key}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      else (overrides[name] ??= {})[key] = parsed.data;
    }
  }
  return { overrides: overrides as RuleOverrides, issues };
}

/** Copies `base` with the sections of `overrides` merged in, one level deep (sections, then leaves). */
export function mergeSettings(base: RuleSettings, overrides: RuleOverrides): RuleSettings {
  const merged = { ...base } as Record<SectionName, object>;
  for (const name of sectionNames) {
    const section = overrides[name];
    if (section) merged[name] = { ...base[name], ...section };
  }
  return merged as RuleSettings;
}

/**
 * Settings for one message: defaults ← facility `settings` ← resident `thresholds`. Invalid parts of either
 * document are ignored (see `parseOverrides` to report them); the result is always complete.
 */
export function resolveSettings(facilityOverrides: unknown, residentOverrides: unknown): RuleSettings {
  const facility = parseOverrides(facilityOverrides).overrides;
  const resident = parseOverrides(residentOverrides).overrides;
  return mergeSettings(mergeSettings(DEFAULT_SETTINGS, facility), resident);
}
