import type pg from 'pg';
import type { Logger } from '@vigil/core';
import { claimAlertFacilities, releaseAlertFacilities } from '@vigil/store';
import { FacilityOwned, FacilityUnknown } from './errors.js';

/**
 * The facilities this worker evaluates, alerts on and numbers events for, owned in the database
 * (`alert_facility_owners`) so that no two workers ever number one facility's events (docs/alerts.md "Workers").
 * A worker is named by its MQTT client id, which the broker already keeps unique. With a configured list the set
 * is fixed; without one (a single worker, `vigil start`) the worker owns every facility, also those added later.
 */
export class FacilityOwnership {
  private owned = new Set<string>();
  /** Facilities another worker owned at the last claim. */
  private taken = new Set<string>();

  private constructor(
    private readonly pool: pg.Pool,
    readonly worker: string,
    readonly configured: readonly string[] | null,
    private readonly log: Logger,
  ) {}

  /** Claims the facilities; refuses (typed error) when another worker owns one or a configured one is unknown. */
  static async claim(
    pool: pg.Pool,
    worker: string,
    configured: readonly string[] | null,
    log: Logger,
  ): Promise<FacilityOwnership> {
    const ownership = new FacilityOwnership(pool, worker, configured, log);
    const { taken, unknown } = await ownership.claimAll();
    // All or nothing: a refused worker keeps none of the facilities it could claim (its leftovers are stored).
    if (unknown.length || taken.length) await ownership.release();
    if (unknown.length) {
      throw FacilityUnknown(`VIGIL_ALERTS_FACILITIES names unknown facilities: ${unknown.join(', ')}`);
    }
    if (taken.length) {
      const owners = taken.map((t) => `${t.facility} (owned by ${t.worker})`).join(', ');
      log.error({ worker, taken }, 'facilities owned by another alerts worker; not starting');
      throw FacilityOwned(
        `worker ${worker}: facilities owned by another alerts worker: ${owners}; ` +
          'stop that worker, or give this one other facilities (VIGIL_ALERTS_FACILITIES)',
      );
    }
    log.info({ worker, facilities: configured ?? 'all', owned: ownership.owned.size }, 'alert facilities claimed');
    return ownership;
  }

  owns(facility: string): boolean {
    return this.owned.has(facility);
  }

  /**
   * Whether this worker owns the facility or may come to (without a list: one added since the last claim, which
   * the registry reload a message of its unknown device causes claims). Messages of other facilities are ignored.
   */
  accepts(facility: string): boolean {
    return this.configured ? this.owned.has(facility) : !this.taken.has(facility);
  }

  /** The owned facilities, for the queries that load this worker's share. */
  get facilities(): string[] {
    return [...this.owned];
  }

  /** Without a list: claims the facilities added since (the registry calls this before each reload). */
  async refresh(): Promise<void> {
    if (this.configured) return;
    const { taken } = await this.claimAll();
    if (taken.length) this.log.warn({ worker: this.worker, taken }, 'new facilities owned by another alerts worker');
  }

  /** Gives the facilities up (a clean close with every event stored), so another worker may take them. */
  release(): Promise<void> {
    return releaseAlertFacilities(this.pool, this.worker);
  }

  private async claimAll() {
    const claim = await claimAlertFacilities(this.pool, this.worker, this.configured);
    this.owned = new Set(claim.claimed);
    this.taken = new Set(claim.taken.map((t) => t.facility));
    return claim;
  }
}
