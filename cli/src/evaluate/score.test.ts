import { describe, expect, it } from 'vitest';
import type { LabelledScenario } from '@vigil/simulators';
import type { ReplayedAlert } from './outcome.js';
import { scoreScenario } from './score.js';

const START = Date.parse('2026-11-03T02:00:00Z');
const ONSET = START + 600_000;

const scenario: LabelledScenario = {
  name: 's',
  summary: '',
  class: 'danger',
  start: START,
  durationMs: 3_600_000,
  devices: [],
  residentNights: 0,
  episodes: [],
  expect: [{ rule: 'vitals', subject: 'resident:r1:spo2', priority: 'critical', onsetMs: 600_000, withinMs: 60_000 }],
  mustNot: [{ rule: 'band_not_worn' }],
  tolerate: [{ rule: 'vitals', subject: 'resident:r1:hr' }],
};

const alert = (rule: ReplayedAlert['rule'], subject: string, reached: ReplayedAlert['reached']): ReplayedAlert => {
  const raisedAt = Math.min(...Object.values(reached));
  return { rule, subject, occurredAt: raisedAt, raisedAt, reached, cleared: false };
};

describe('scoreScenario', () => {
  it('times the alert from the onset to the priority it must reach', () => {
    const raisedHigh = alert('vitals', 'resident:r1:spo2', { high: ONSET + 5_000, critical: ONSET + 40_000 });
    const score = scoreScenario(scenario, [raisedHigh]);
    expect(score.detections[0]!.timeToAlertMs).toBe(40_000);
    expect(score.falseAlerts).toEqual([]);
  });

  it('misses an alert too late, of too low a priority, or before the onset; each then counts as false', () => {
    for (const reached of [{ critical: ONSET + 61_000 }, { high: ONSET + 1_000 }, { critical: START + 1_000 }]) {
      const score = scoreScenario(scenario, [alert('vitals', 'resident:r1:spo2', reached)]);
      expect(score.detections[0]!.timeToAlertMs).toBeNull();
      expect(score.falseAlerts).toHaveLength(1);
    }
  });

  it('counts unexpected alerts as false, flags forbidden ones, and spares tolerated ones', () => {
    const score = scoreScenario(scenario, [
      alert('vitals', 'resident:r1:spo2', { critical: ONSET + 1_000 }),
      alert('vitals', 'resident:r1:spo2', { critical: ONSET + 2_000 }),
      alert('vitals', 'resident:r1:hr', { high: ONSET + 3_000 }),
      alert('band_not_worn', 'device:wb-1', { warning: ONSET }),
    ]);
    expect(score.detections[0]!.timeToAlertMs).toBe(1_000);
    expect(score.falseAlerts.map((a) => a.rule)).toEqual(['vitals', 'band_not_worn']);
    expect(score.forbidden.map((a) => a.rule)).toEqual(['band_not_worn']);
  });
});
