import type { Clock, Logger, Pool } from '@vigil/core';
import { clearLoginFailures, loginFailures, recordLoginFailure } from '@vigil/store';

/** The lockout policy (docs/api.md "Lockout"): failures counted in a sliding window per username and per address. */
export const LOCKOUT = {
  windowMs: 15 * 60_000,
  /** Per username: five guesses, then wait until the oldest of them is 15 minutes old. */
  maxPerUsername: 5,
  /** Per address: a care home's staff often share one address, so more; still far too few to guess passwords. */
  maxPerAddress: 20,
} as const;

export type LockoutPolicy = { windowMs: number; maxPerUsername: number; maxPerAddress: number };

/** When the `max`-th newest failure leaves the window, i.e. when one more attempt is allowed; null if not locked. */
function lockedUntil(failures: Date[], max: number, windowMs: number): number | null {
  if (failures.length < max) return null;
  return failures[failures.length - max]!.getTime() + windowMs;
}

/** Counts failed sign-ins in the database (shared by every api instance, kept across restarts). */
export class LoginLockout {
  constructor(
    private readonly db: Pool,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly policy: LockoutPolicy = LOCKOUT,
  ) {}

  /** Seconds until this username may try again from this address, or 0 when it may now. */
  async retryAfterS(username: string, address: string): Promise<number> {
    const now = this.clock.now();
    const failures = await loginFailures(this.db, { username, address }, new Date(now - this.policy.windowMs));
    const until = Math.max(
      lockedUntil(failures.username, this.policy.maxPerUsername, this.policy.windowMs) ?? 0,
      lockedUntil(failures.address, this.policy.maxPerAddress, this.policy.windowMs) ?? 0,
    );
    if (until <= now) return 0;
    const retryAfterS = Math.ceil((until - now) / 1000);
    this.log.warn(
      {
        username,
        address,
        retryAfterS,
        usernameFailures: failures.username.length,
        addressFailures: failures.address.length,
      },
      'sign-in locked out after repeated failures',
    );
    return retryAfterS;
  }

  async failed(username: string, address: string, reason: string): Promise<void> {
    const now = this.clock.now();
    this.log.warn({ username, address, reason }, 'sign-in failed');
    await recordLoginFailure(this.db, { username, address, at: new Date(now) }, new Date(now - this.policy.windowMs));
  }

  async succeeded(username: string): Promise<void> {
    await clearLoginFailures(this.db, username);
  }
}
