import type { Scheduler } from './scheduler.js';
import type { SimDevice } from './sim-device.js';
import { timelineLength, type Step } from './steps.js';

/**
 * How far a device's clock may run ahead of the wall clock after a time-lapsed scenario. Receivers
 * accept `ts` up to 5 minutes in the future (PROTOCOL.md "Payload"); 4 leaves room for clock skew.
 */
export const MAX_LEAD_MS = 4 * 60 * 1000;

export interface Playback {
  /** The speed actually used: lower than asked when the timeline would otherwise lead by > MAX_LEAD_MS. */
  speed: number;
  /** Device time of the first and the last step. */
  startTs: number;
  endTs: number;
  /** Wall-clock time the playback ends. */
  endsAt: number;
}

/**
 * Plans a timeline on a device: it starts after the device's latest `ts` (device time never goes back)
 * and unfolds `speed` times faster than its own timestamps, so rules judged on `ts` see it as it
 * "happened" while a demo need not wait for it. The speed is capped so `ts` stays ≤ now + MAX_LEAD_MS.
 */
export function planPlayback(device: SimDevice, steps: readonly Step[], now: number, speed: number): Playback {
  const length = timelineLength(steps);
  const startTs = Math.max(now, device.clock + 1);
  // Lead at the end = startTs + length − (now + length / s); keep it ≤ MAX_LEAD_MS.
  const room = startTs - now + length - MAX_LEAD_MS;
  const s = speed > 1 && room > 0 ? Math.max(1, Math.min(speed, length / room)) : speed;
  return { speed: s, startTs, endTs: startTs + length, endsAt: now + length / s };
}

/** Schedules every step at its wall-clock time; returns a function that cancels what has not run yet. */
export function schedulePlayback(
  scheduler: Scheduler,
  steps: readonly Step[],
  plan: Playback,
  now: number,
  run: (step: Step, ts: number) => void,
  done: () => void,
): () => void {
  // Steps due at the same moment run in timeline order (the scheduler keeps insertion order on ties).
  const ordered = [...steps].sort((a, b) => a.at - b.at);
  const cancels = ordered.map((step) =>
    scheduler.at(now + step.at / plan.speed, () => run(step, plan.startTs + step.at)),
  );
  cancels.push(scheduler.at(plan.endsAt, done));
  return () => cancels.forEach((cancel) => cancel());
}
