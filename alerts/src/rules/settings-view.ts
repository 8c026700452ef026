import { DEFAULT_SETTINGS, mergeSettings, parseOverrides, type RuleOverrides, type RuleSettings } from './settings.js';

/** A setting's value: a number, a clock time (`night.*`) or a switch (`enabled`). */
export type SettingValue = number | string | boolean;

/** One leaf of the settings as a resident's editor shows it (docs/rules.md "Settings and overrides"). */
export interface SettingInForce {
  /** The section (a rule, or `night`). */
  section: string;
  key: string;
  default: SettingValue;
  /** The facility's own value, null when the facility keeps the default. */
  facility: SettingValue | null;
  /** The resident's own value, null when the resident follows the facility. */
  resident: SettingValue | null;
  /** What the rules apply: resident ← facility ← default. */
  effective: SettingValue;
}

/**
 * Every setting with its default, the facility's and the resident's override and the value in force, in the
 * order of DEFAULT_SETTINGS; `ignored` lists the stored leaves the rules ignore (invalid or unknown), as
 * `parseOverrides` reports them.
 */
export function settingsInForce(
  facilityOverrides: unknown,
  residentOverrides: unknown,
): { settings: SettingInForce[]; ignored: string[] } {
  const facility = parseOverrides(facilityOverrides);
  const resident = parseOverrides(residentOverrides);
  // What the rules apply, merged as resolveSettings merges it for every message.
  const inForce = mergeSettings(mergeSettings(DEFAULT_SETTINGS, facility.overrides), resident.overrides);
  const leaf = (o: RuleOverrides | RuleSettings, section: string, key: string) =>
    ((o as Record<string, Record<string, SettingValue> | undefined>)[section]?.[key] ?? null) as SettingValue | null;
  const settings = Object.entries(DEFAULT_SETTINGS as RuleSettings).flatMap(([section, leaves]) =>
    Object.entries(leaves as Record<string, SettingValue>).map(([key, value]) => ({
      section,
      key,
      default: value,
      facility: leaf(facility.overrides, section, key),
      resident: leaf(resident.overrides, section, key),
      effective: leaf(inForce, section, key)!,
    })),
  );
  return { settings, ignored: [...facility.issues.map((i) => `facility ${i}`), ...resident.issues] };
}
