import type { Pool } from '@vigil/core';

/**
 * A cache of what scoping and pseudonymisation need on the hot path (every stream event): the region of each
 * facility and the pseudonym of each resident. Loaded at start; a facility not seen yet is loaded on demand.
 */
export class Directory {
  private readonly regions = new Map<string, string>();
  private readonly pseudonyms = new Map<string, string>();

  constructor(private readonly db: Pool) {}

  /** Loads every facility, or only the given ones, with their residents' pseudonyms. */
  async load(facilities: string[] | null = null): Promise<void> {
    const [f, r] = await Promise.all([
      this.db.query<{ id: string; region: string }>(
        'SELECT id, region FROM facilities WHERE $1::text[] IS NULL OR id = ANY($1)',
        [facilities],
      ),
      this.db.query<{ facility: string; id: string; pseudonym: string }>(
        `SELECT facility_id AS facility, id, pseudonym FROM residents WHERE $1::text[] IS NULL OR facility_id = ANY($1)`,
        [facilities],
      ),
    ]);
    for (const row of f.rows) this.regions.set(row.id, row.region);
    for (const row of r.rows) this.pseudonyms.set(key(row.facility, row.id), row.pseudonym);
  }

  /** Makes sure a facility and one of its residents are known; reloads the facility when either is missing. */
  async ensure(facility: string, resident: string | null): Promise<void> {
    if (this.regions.has(facility) && (resident === null || this.pseudonyms.has(key(facility, resident)))) return;
    await this.load([facility]);
  }

  regionOf(facility: string): string | undefined {
    return this.regions.get(facility);
  }

  pseudonymOf(facility: string, resident: string): string | undefined {
    return this.pseudonyms.get(key(facility, resident));
  }
}

const key = (facility: string, resident: string) => `${facility}\u0000${resident}`;
