import type { AlertPriority, AlertRule } from '@vigil/protocol';
import type { ScenarioOptions } from '../scenarios/types.js';

/**
 * What a labelled scenario holds: a dangerous event the rules must catch, a nuisance they must not alarm on, or
 * a normal stretch of resident life (nights and days) that measures how often they cry wolf.
 */
export type ScenarioClass = 'danger' | 'nuisance' | 'normal';

/** An alert the scenario must raise: for a dangerous event that begins `onsetMs` after the scenario starts. */
export interface ExpectedAlert {
  rule: AlertRule;
  subject: string;
  /** The alert must reach this priority (by its raise or a later update). */
  priority: AlertPriority;
  /** Device time of the dangerous event's onset, from the scenario's start. */
  onsetMs: number;
  /** Raised at most this long after the onset (wall clock), or it counts as missed. */
  withinMs: number;
}

/** An alert named by rule, and subject unless any subject is meant (must not raise, tolerate). */
export interface ForbiddenAlert {
  rule: AlertRule;
  subject?: string;
}

/** A named scenario (simulators/src/scenarios/) played on one device, `atMs` after the start. */
export interface Episode {
  device: string;
  atMs: number;
  scenario: string;
  options?: ScenarioOptions;
}

export interface LabelledScenario {
  name: string;
  summary: string;
  class: ScenarioClass;
  /** Device time the scenario starts (epoch ms); every device of it reports from then on. */
  start: number;
  durationMs: number;
  /** Devices of the library's facility (world.ts) that take part. */
  devices: readonly string[];
  /** Residents watched through a whole night (21:00–07:00): the exposure of "false alerts per resident-night". */
  residentNights: number;
  episodes: readonly Episode[];
  expect: readonly ExpectedAlert[];
  mustNot: readonly ForbiddenAlert[];
  /** Alerts that say the same thing another way (HR 0 in an apnoea is also a low heart rate): neither required nor false. */
  tolerate?: readonly ForbiddenAlert[];
}
