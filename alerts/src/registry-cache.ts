import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Logger } from '@vigil/core';
import type { DeviceInfo, FacilityInfo, LocationInfo, ResidentInfo } from './rules/types.js';

/** What the engine knows about a device's context: everything a rule needs besides its settings. */
export interface DeviceContext {
  device: DeviceInfo;
  resident: ResidentInfo | null;
  location: LocationInfo | null;
  facility: FacilityInfo;
  facilitySettings: unknown;
  residentThresholds: unknown;
  /** `devices.last_seen_at` when the registry was loaded (epoch ms), null if never seen. */
  lastSeenAt: number | null;
}

const MISS_REFRESH_MIN_MS = 1_000;

/**
 * The registry in memory (facilities, locations, residents, active devices), so a message is evaluated without
 * a database round trip. Reloaded periodically; an unknown device triggers an early (rate-limited) reload so a
 * device registered a moment ago is recognised.
 */
export class RegistryCache {
  private devices = new Map<string, DeviceContext>();
  private loading: Promise<void> | null = null;
  private missReload: Promise<boolean> | null = null;
  private lastLoad = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    /** Called for each device not in the previous load (all of them on the first), after the swap. */
    private readonly onNewDevices: (contexts: DeviceContext[]) => void = () => {},
  ) {}

  get size(): number {
    return this.devices.size;
  }

  get(deviceId: string): DeviceContext | undefined {
    return this.devices.get(deviceId);
  }

  /**
   * The device's context, reloading the registry when the device is unknown: at most once a second (a flood of
   * unknown ids must not hammer the database; concurrent callers share the reload). A reload that fails (database
   * busy or down) is retried for up to `missRetryMs`: a new device's first fall must not be dropped for that.
   */
  async resolve(deviceId: string, missRetryMs = 30_000): Promise<DeviceContext | undefined> {
    const missedAt = Date.now();
    const giveUp = missedAt + missRetryMs;
    for (;;) {
      const known = this.devices.get(deviceId);
      if (known) return known;
      const wait = this.lastLoad + MISS_REFRESH_MIN_MS - Date.now();
      this.missReload ??= (wait > 0 ? sleep(wait) : Promise.resolve())
        .then(() => this.refresh())
        .then(
          () => true,
          (err) => {
            this.log.warn({ err }, 'registry reload failed');
            return false;
          },
        )
        .finally(() => (this.missReload = null));
      const loaded = await this.missReload;
      // A load that began before the miss may predate the device's registration: only a later one is an answer.
      if ((loaded && this.lastLoad >= missedAt) || Date.now() >= giveUp) return this.devices.get(deviceId);
    }
  }

  /** Reloads everything; concurrent callers share one load. Keeps the old copy if the database is down. */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.lastLoad = Date.now();
    const [facilities, locations, residents, devices] = await Promise.all([
      this.pool.query('SELECT id, timezone, settings FROM facilities'),
      this.pool.query('SELECT facility_id, id, kind FROM locations'),
      this.pool.query(
        `SELECT facility_id, id, care_level, fall_risk, wander_risk, location_id, thresholds FROM residents
         WHERE active`,
      ),
      this.pool.query(
        `SELECT id, facility_id, kind, resident_id, location_id, expected_interval_s, last_seen_at FROM devices
         WHERE retired_at IS NULL`,
      ),
    ]);
    const facilityById = new Map(
      facilities.rows.map((f) => [f.id as string, { info: { id: f.id, timezone: f.timezone }, settings: f.settings }]),
    );
    const place = (facility: string, id: string) => `${facility}/${id}`;
    const locationByKey = new Map<string, LocationInfo>(
      locations.rows.map((l) => [place(l.facility_id, l.id), { id: l.id, kind: l.kind }]),
    );
    const residentByKey = new Map(
      residents.rows.map((r) => [
        place(r.facility_id, r.id),
        {
          info: {
            id: r.id,
            facility: r.facility_id,
            careLevel: r.care_level,
            fallRisk: r.fall_risk,
            wanderRisk: r.wander_risk,
            location: r.location_id,
          } satisfies ResidentInfo,
          thresholds: r.thresholds,
        },
      ]),
    );
    const next = new Map<string, DeviceContext>();
    for (const d of devices.rows) {
      const facility = facilityById.get(d.facility_id);
      if (!facility) continue;
      const resident = d.resident_id ? residentByKey.get(place(d.facility_id, d.resident_id)) : undefined;
      // A worn device moves with its resident: without a fixed place, the resident's room is where it is.
      const locationId: string | null = d.location_id ?? resident?.info.location ?? null;
      next.set(d.id, {
        device: {
          id: d.id,
          facility: d.facility_id,
          kind: d.kind,
          resident: d.resident_id,
          location: d.location_id,
          expectedIntervalS: d.expected_interval_s,
        },
        resident: resident?.info ?? null,
        location: locationId ? (locationByKey.get(place(d.facility_id, locationId)) ?? null) : null,
        facility: facility.info,
        facilitySettings: facility.settings ?? {},
        residentThresholds: resident?.thresholds ?? {},
        lastSeenAt: d.last_seen_at ? (d.last_seen_at as Date).getTime() : null,
      });
    }
    const previous = this.devices;
    this.devices = next;
    const added = [...next.values()].filter((context) => !previous.has(context.device.id));
    if (added.length) this.onNewDevices(added);
    this.log.debug({ devices: next.size }, 'registry loaded');
  }
}
