import type { Clock } from '@vigil/core';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client: `ratePerSecond` sustained, `burst` at once. Wearables send about one message a
 * second, so the defaults (20/s, burst 100) only ever stop a device that is broken or hostile. Buckets outlive
 * connections (only registered devices get one), so reconnecting does not refill them.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;

  constructor(options: { ratePerSecond: number; burst: number; clock: Clock }) {
    this.#rate = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#clock = options.clock;
  }

  /** Takes one token for `clientId`; false when the bucket is empty. */
  take(clientId: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#buckets.get(clientId);
    if (!bucket) {
      this.#buckets.set(clientId, { tokens: this.#burst - 1, at: now });
      return true;
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
