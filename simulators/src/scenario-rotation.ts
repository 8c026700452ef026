import { silentLogger, systemClock, type Clock, type Logger } from '@vigil/core';
import { SimInvalidOptions } from './errors.js';
import type { Fleet } from './fleet.js';
import { devicesFitting } from './pick-device.js';
import { createRng } from './random.js';
import { SCENARIOS, SCENARIO_NAMES } from './scenarios/index.js';
import { createScheduler } from './scheduler.js';

export interface RotationOptions {
  fleet: Fleet;
  /** A scenario starts this often. */
  everyMs: number;
  /** The first starts this soon (default the interval, at most 30 s: a fresh demo shows something early). */
  firstAfterMs?: number;
  seed?: string | number;
  clock?: Clock;
  logger?: Logger;
}

const FIRST_WITHIN_MS = 30_000;

/**
 * The living demo (`vigil start --simulate`): every `everyMs` a scenario drawn from the whole library
 * (SCENARIOS: every scenario added there takes part) plays on a device it fits that is playing none,
 * so the wall display, the analytics and the evaluation have something to show. The fleet logs each
 * start (scenario and device, never readings) at info.
 */
export function startScenarioRotation(options: RotationOptions): { close(): Promise<void> } {
  const { fleet, everyMs } = options;
  if (!(everyMs > 0)) throw SimInvalidOptions(`the rotation interval must be positive, not ${everyMs}`);
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? silentLogger()).child({ module: 'scenario-rotation' });
  const rng = createRng(`${options.seed ?? 'vigil'}/rotation`);
  const scheduler = createScheduler(clock, (err) => log.error({ err }, 'demo scenario failed'));

  function next(): void {
    const choices = SCENARIO_NAMES.map((name) => ({
      name,
      devices: devicesFitting(fleet.devices, SCENARIOS[name]!).filter((d) => !fleet.playing(d.id)),
    })).filter((choice) => choice.devices.length);
    if (!choices.length) return log.debug('every device a scenario fits is playing one; none started');
    const { name, devices } = rng.pick(choices);
    const device = rng.pick(devices);
    fleet
      .inject(device.id, name, { origin: 'demo' })
      .catch((err: Error) => log.warn({ err, deviceId: device.id, scenario: name }, 'demo scenario failed'));
  }

  const first = options.firstAfterMs ?? Math.min(everyMs, FIRST_WITHIN_MS);
  scheduler.every(clock.now() + first, everyMs, next);
  log.info({ everyMs, scenarios: SCENARIO_NAMES.length }, 'demo scenarios rotate');
  return { close: async () => scheduler.close() };
}
