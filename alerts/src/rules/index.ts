/**
 * The alert rules of docs/rules.md "Rules", one file each; the engine feeds every validated message to every rule
 * with that rule's own state (`initialState()` once per engine), and calls `tick` on the wall clock.
 *
 * Subjects (one open alert per facility, rule and subject; see intent.ts):
 * - `resident:<id>`: fall, sos, no_vitals_in_bed, bed_exit_night, wandering (a wander-risk resident's door);
 *   `resident:<id>:hr|spo2|rr|bp` for vitals (one alert per vital sign); `resident:<id>` for deterioration.
 *   A device with no resident uses `device:<id>` instead (`device:<id>:<sign>` for vitals); an SOS button with
 *   no resident uses its room, `location:<id>`.
 * - `location:<id>`: fire, gas (several sensors in one place make one alert), wandering (an exit door),
 *   inactivity (the dwelling). A fixed device with no location uses `device:<id>`.
 * - `device:<id>`: electrical, device_offline, low_battery, band_not_worn.
 * - `facility`: connectivity (many devices of the facility down together).
 */
import { bandNotWornRule } from './band-not-worn.js';
import { bedExitNightRule } from './bed-exit-night.js';
import { connectivityRule } from './connectivity.js';
import { deteriorationRule } from './deterioration.js';
import { deviceOfflineRule } from './device-offline.js';
import { electricalRule } from './electrical.js';
import { fallRule } from './fall.js';
import { fireRule } from './fire.js';
import { gasRule } from './gas.js';
import { inactivityRule } from './inactivity.js';
import { lowBatteryRule } from './low-battery.js';
import { noVitalsInBedRule } from './no-vitals-in-bed.js';
import type { RuleSettings } from './settings.js';
import { sosRule } from './sos.js';
import type { Rule } from './types.js';
import { vitalsRule } from './vitals.js';
import { wanderingRule } from './wandering.js';

export type AnyRule = Rule<unknown, RuleSettings>;

/** Every rule, in the order their intents for one message are returned (life-threatening first). */
export const RULES: readonly AnyRule[] = [
  fallRule,
  sosRule,
  noVitalsInBedRule,
  fireRule,
  gasRule,
  vitalsRule,
  deteriorationRule,
  bedExitNightRule,
  wanderingRule,
  electricalRule,
  inactivityRule,
  deviceOfflineRule,
  connectivityRule,
  lowBatteryRule,
  bandNotWornRule,
];

export {
  DEFAULT_SETTINGS,
  parseOverrides,
  resolveSettings,
  ruleOverridesSchema,
  ruleSettingsSchema,
} from './settings.js';
export type { ParsedOverrides, RuleOverrides, RuleSettings } from './settings.js';
export type * from './types.js';
