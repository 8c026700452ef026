/** Injected time source: rules, timers and windows read time only through this, so tests use a fake clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
