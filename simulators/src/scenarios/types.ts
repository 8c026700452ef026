import type { DeviceKind } from '@vigil/protocol';
import { clamp, round } from '../random.js';
import type { DeviceState, Fields } from '../models/index.js';
import type { Step } from '../steps.js';

export interface ScenarioOptions {
  /** How long the condition lasts, device time (each scenario has a default that trips its rule). */
  durationMs?: number;
  /** The scenario's main value where it has one: SpO2 % for low-spo2, bpm for tachycardia, confidence for fall. */
  value?: number;
}

/**
 * A scripted situation played on one device: a timeline of steps in device time. The fleet plays it
 * (time-lapsed by its speed), stamping every message with the timeline's own `ts` and the next `seq`.
 */
export interface Scenario {
  name: string;
  /** One line for `vigil simulate --help` and the docs. */
  summary: string;
  kinds: readonly DeviceKind[];
  steps(state: DeviceState, options: ScenarioOptions): Step[];
}

/** A plausible wristband reading around the wearer's baseline, with the scenario's values on top. */
export function wristbandFields(state: DeviceState, values: Fields): Fields {
  const { rng, body } = state;
  return {
    hr: round(clamp(rng.normal(state.hr, 1.5), 45, 110)),
    spo2: round(clamp(rng.normal(body.spo2, 0.5), 92, 100)),
    skinTemp: round(rng.normal(body.skinTemp, 0.1), 1),
    worn: true,
    battery: round(state.battery ?? 0),
    ...values,
  };
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** A hazard detector's own alarm: an `alarm` event at the first reading of the timeline that meets `trips`. */
export function withAlarm(steps: Step[], trips: (fields: Fields) => boolean): Step[] {
  const first = steps.find((step) => step.do === 'reading' && trips(step.fields));
  if (!first) return steps;
  const alarm: Step = { at: first.at, do: 'event', type: 'alarm' };
  return [...steps, alarm].sort((a, b) => a.at - b.at);
}
