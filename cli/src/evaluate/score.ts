import type { ExpectedAlert, ForbiddenAlert, LabelledScenario } from '@vigil/simulators';
import { reachedAt, type ReplayedAlert } from './outcome.js';

/** An expected alert and what the replay did about it. */
export interface Detection {
  expected: ExpectedAlert;
  /** Onset to the alert reaching the expected priority, wall clock; null when missed or too late. */
  timeToAlertMs: number | null;
}

export interface ScenarioScore {
  scenario: LabelledScenario;
  detections: Detection[];
  /** Alerts the scenario did not expect. */
  falseAlerts: ReplayedAlert[];
  /** Those of them the scenario explicitly must not raise. */
  forbidden: ReplayedAlert[];
}

/** Small slack before the onset: a device's clock and the episode's first reading may differ by a second. */
const ONSET_SLACK_MS = 1_000;

/**
 * Matches the replay's alerts against what the scenario declares: each expected alert is taken by the first alert
 * of its rule and subject raised from its onset on that reaches its priority within its deadline; every alert left
 * over is a false alert, unless the scenario tolerates it.
 */
export function scoreScenario(scenario: LabelledScenario, alerts: readonly ReplayedAlert[]): ScenarioScore {
  const unclaimed = [...alerts];
  const detections = scenario.expect.map((expected): Detection => {
    const onset = scenario.start + expected.onsetMs;
    const index = unclaimed.findIndex((a) => {
      if (a.rule !== expected.rule || a.subject !== expected.subject || a.raisedAt < onset - ONSET_SLACK_MS)
        return false;
      const at = reachedAt(a, expected.priority);
      return at !== undefined && at - onset <= expected.withinMs;
    });
    if (index < 0) return { expected, timeToAlertMs: null };
    const [alert] = unclaimed.splice(index, 1);
    return { expected, timeToAlertMs: Math.max(0, reachedAt(alert!, expected.priority)! - onset) };
  });
  const named = (list: readonly ForbiddenAlert[] | undefined) => (a: ReplayedAlert) =>
    (list ?? []).some((f) => f.rule === a.rule && (f.subject === undefined || f.subject === a.subject));
  const falseAlerts = unclaimed.filter((a) => !named(scenario.tolerate)(a));
  return { scenario, detections, falseAlerts, forbidden: falseAlerts.filter(named(scenario.mustNot)) };
}
