import type { DeviceState, EventBody, Fields } from './models/types.js';

/** What a device does at one moment of a scenario or of spontaneous activity. */
export type Action =
  | { do: 'reading'; fields: Fields }
  | ({ do: 'event' } & EventBody)
  | { do: 'status' }
  | { do: 'patch'; patch: Partial<Pick<DeviceState, 'battery' | 'worn' | 'occupied' | 'doorOpen' | 'hr'>> }
  /** Loses the connection without DISCONNECT, so the broker publishes the Last Will [MQTT-3.1.2-8]. */
  | { do: 'drop' }
  | { do: 'reconnect' };

/** An action `at` milliseconds of device time after the start of its timeline. */
export type Step = { at: number } & Action;

/** A timeline of readings every `everyMs` from `from` to `to` (inclusive), each built by `fields(t)`. */
export function readingsEvery(from: number, to: number, everyMs: number, fields: (t: number) => Fields): Step[] {
  const steps: Step[] = [];
  for (let at = from; at <= to; at += everyMs) steps.push({ at, do: 'reading', fields: fields(at) });
  return steps;
}

/** Linear ramp from `a` to `b` over [0, duration], held at `b` afterwards. */
export function ramp(a: number, b: number, t: number, duration: number): number {
  return t >= duration ? b : a + ((b - a) * t) / duration;
}

/** The time of the last step (the timeline's length). */
export function timelineLength(steps: readonly Step[]): number {
  return steps.reduce((max, step) => Math.max(max, step.at), 0);
}
