import type { Queryable } from '@vigil/core';
import type { Device } from './devices.js';
import { listActiveDevices } from './devices.js';

/** A facility as the rules need it: its time zone and rule settings. */
export interface FacilitySettingsRow {
  id: string;
  timezone: string;
  settings: Record<string, unknown> | null;
}

export interface LocationRow {
  facility: string;
  id: string;
  kind: string;
}

/** An active resident with the risk profile and per-resident thresholds the rules use. */
export interface ResidentRiskRow {
  facility: string;
  id: string;
  careLevel: string;
  fallRisk: string;
  wanderRisk: boolean;
  location: string | null;
  thresholds: Record<string, unknown> | null;
}

/** Everything the alerts service keeps in memory about the registry, read in one go. */
export interface RegistrySnapshot {
  facilities: FacilitySettingsRow[];
  locations: LocationRow[];
  residents: ResidentRiskRow[];
  devices: Device[];
}

/** Reads the whole registry the rules run on: facilities, locations, active residents and devices. */
export async function readRegistrySnapshot(db: Queryable): Promise<RegistrySnapshot> {
  const [facilities, locations, residents, devices] = await Promise.all([
    db.query<FacilitySettingsRow>('SELECT id, timezone, settings FROM facilities'),
    db.query<LocationRow>('SELECT facility_id AS facility, id, kind FROM locations'),
    db.query<ResidentRiskRow>(
      `SELECT facility_id AS facility, id, care_level AS "careLevel", fall_risk AS "fallRisk",
         wander_risk AS "wanderRisk", location_id AS location, thresholds
       FROM residents WHERE active`,
    ),
    listActiveDevices(db),
  ]);
  return { facilities: facilities.rows, locations: locations.rows, residents: residents.rows, devices };
}
