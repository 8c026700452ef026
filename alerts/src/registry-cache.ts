import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Logger } from '@vigil/core';
import { readRegistrySnapshot } from '@vigil/store';
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
const NOBODY: ReadonlySet<string> = new Set();
const place = (facility: string, id: string) => `${facility}/${id}`;

/** The facilities a worker owns (ownership.ts): refreshed before each load, which keeps only theirs. */
export interface RegistryScope {
  refresh(): Promise<void>;
  owns(facility: string): boolean;
}

/**
 * The registry in memory (facilities, locations, residents, active devices) of the worker's facilities, so a
 * message is evaluated without a database round trip. Reloaded periodically; an unknown device triggers an early (rate-limited) reload so a
 * device registered a moment ago is recognised.
 */
export class RegistryCache {
  private devices = new Map<string, DeviceContext>();
  /** Resident ids by `facility/location` of their room. */
  private residentsByPlace = new Map<string, Set<string>>();
  private loading: Promise<void> | null = null;
  private missReload: Promise<boolean> | null = null;
  private lastLoad = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly scope: RegistryScope,
    /** Called for each device not in the previous load (all of them on the first), after the swap. */
    private readonly onNewDevices: (contexts: DeviceContext[]) => void = () => {},
  ) {}

  get size(): number {
    return this.devices.size;
  }

  get(deviceId: string): DeviceContext | undefined {
    return this.devices.get(deviceId);
  }

  /** The residents whose room is this location (a call button's `presence` covers their calls too). */
  residentsAt(facility: string, location: string): ReadonlySet<string> {
    return this.residentsByPlace.get(place(facility, location)) ?? NOBODY;
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
    await this.scope.refresh();
    const { facilities, locations, residents, devices } = await readRegistrySnapshot(this.pool);
    const facilityById = new Map(
      facilities.map((f) => [f.id as string, { info: { id: f.id, timezone: f.timezone }, settings: f.settings }]),
    );
    const locationByKey = new Map<string, LocationInfo>(
      locations.map((l) => [place(l.facility, l.id), { id: l.id, kind: l.kind } as LocationInfo]),
    );
    const residentByKey = new Map(
      residents.map((r) => [
        place(r.facility, r.id),
        {
          info: {
            id: r.id,
            facility: r.facility,
            careLevel: r.careLevel,
            fallRisk: r.fallRisk,
            wanderRisk: r.wanderRisk,
            location: r.location,
          } as ResidentInfo,
          thresholds: r.thresholds,
        },
      ]),
    );
    const next = new Map<string, DeviceContext>();
    for (const d of devices) {
      const facility = facilityById.get(d.facility);
      if (!facility || !this.scope.owns(d.facility)) continue;
      const resident = d.resident ? residentByKey.get(place(d.facility, d.resident)) : undefined;
      // A worn device moves with its resident: without a fixed place, the resident's room is where it is.
      const locationId: string | null = d.location ?? resident?.info.location ?? null;
      next.set(d.id, {
        device: {
          id: d.id,
          facility: d.facility,
          kind: d.kind,
          resident: d.resident,
          location: d.location,
          expectedIntervalS: d.expectedIntervalS,
        },
        resident: resident?.info ?? null,
        location: locationId ? (locationByKey.get(place(d.facility, locationId)) ?? null) : null,
        facility: facility.info,
        facilitySettings: facility.settings ?? {},
        residentThresholds: resident?.thresholds ?? {},
        lastSeenAt: d.lastSeenAt?.getTime() ?? null,
      });
    }
    const byPlace = new Map<string, Set<string>>();
    for (const r of residents) {
      if (!r.location) continue;
      const key = place(r.facility, r.location);
      byPlace.set(key, (byPlace.get(key) ?? new Set()).add(r.id));
    }
    const previous = this.devices;
    this.devices = next;
    this.residentsByPlace = byPlace;
    const added = [...next.values()].filter((context) => !previous.has(context.device.id));
    if (added.length) this.onNewDevices(added);
    this.log.debug({ devices: next.size }, 'registry loaded');
  }
}
