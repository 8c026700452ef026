import type { Episode, ExpectedAlert, ForbiddenAlert, LabelledScenario, ScenarioClass } from './types.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** How long devices report before the first episode, so the rules have seen each of them. */
const LEAD_MS = 10 * MINUTE;

export interface ShortSpec {
  name: string;
  summary: string;
  class: ScenarioClass;
  /** Device time of the first episode (epoch ms). */
  at: number;
  devices: readonly string[];
  /** Episodes `afterMs` after `at`. */
  episodes: ReadonlyArray<Omit<Episode, 'atMs'> & { afterMs?: number }>;
  /** Expected alerts, their onset `onsetAfterMs` after `at` (default: the first episode). */
  expect?: ReadonlyArray<Omit<ExpectedAlert, 'onsetMs'> & { onsetAfterMs?: number }>;
  mustNot?: readonly ForbiddenAlert[];
  tolerate?: readonly ForbiddenAlert[];
  /** From `at` to the end (default 30 min): long enough for the slowest expected alert and any clear. */
  tailMs?: number;
}

/** A scenario around one moment: ten minutes of normal reporting, the episodes, then `tailMs` of aftermath. */
export function around(spec: ShortSpec): LabelledScenario {
  return {
    name: spec.name,
    summary: spec.summary,
    class: spec.class,
    start: spec.at - LEAD_MS,
    durationMs: LEAD_MS + (spec.tailMs ?? 30 * MINUTE),
    devices: spec.devices,
    residentNights: 0,
    episodes: spec.episodes.map(({ afterMs, ...e }) => ({ ...e, atMs: LEAD_MS + (afterMs ?? 0) })),
    expect: (spec.expect ?? []).map(({ onsetAfterMs, ...e }) => ({ ...e, onsetMs: LEAD_MS + (onsetAfterMs ?? 0) })),
    mustNot: spec.mustNot ?? [],
    ...(spec.tolerate ? { tolerate: spec.tolerate } : {}),
  };
}
