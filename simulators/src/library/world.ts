import type { CareLevel, DeviceKind, LocationKind } from '@vigil/protocol';
import { SimUnknownDevice } from '../errors.js';

/**
 * The one facility every labelled scenario plays in: two residents in their rooms (r1 at fall risk with a
 * wristband, a bed mat and a call button; r2 fully dependent, at high fall risk and at risk of wandering), the
 * hazard detectors of a room and a kitchen, a distribution board, an exit door and a home-care dwelling.
 */
export const LIBRARY_FACILITY = 'lib';
/** A zone without daylight saving, so a scenario's local times mean the same on every date. */
export const LIBRARY_TIMEZONE = 'Asia/Shanghai';

export interface WorldDevice {
  id: string;
  kind: DeviceKind;
  resident?: string;
  location?: string;
}

export interface WorldResident {
  id: string;
  careLevel: CareLevel;
  fallRisk: 'none' | 'at-risk' | 'high';
  wanderRisk: boolean;
  location: string;
}

export const LOCATIONS: ReadonlyArray<{ id: string; kind: LocationKind }> = [
  { id: 'room-1', kind: 'room' },
  { id: 'room-2', kind: 'room' },
  { id: 'kitchen-1', kind: 'kitchen' },
  { id: 'corridor-1', kind: 'corridor' },
  { id: 'exit-1', kind: 'exit' },
  { id: 'board-1', kind: 'board' },
  { id: 'dwelling-1', kind: 'dwelling' },
];

export const RESIDENTS: readonly WorldResident[] = [
  { id: 'r1', careLevel: 'semi-dependent', fallRisk: 'at-risk', wanderRisk: false, location: 'room-1' },
  { id: 'r2', careLevel: 'fully-dependent', fallRisk: 'high', wanderRisk: true, location: 'room-2' },
];

export const DEVICES: readonly WorldDevice[] = [
  { id: 'wb-1', kind: 'wristband', resident: 'r1' },
  { id: 'bm-1', kind: 'bedmat', resident: 'r1' },
  { id: 'btn-1', kind: 'button', resident: 'r1' },
  { id: 'wb-2', kind: 'wristband', resident: 'r2' },
  { id: 'bm-2', kind: 'bedmat', resident: 'r2' },
  { id: 'door-2', kind: 'door', resident: 'r2', location: 'room-2' },
  { id: 'smk-1', kind: 'smoke', location: 'room-1' },
  { id: 'smk-k', kind: 'smoke', location: 'kitchen-1' },
  { id: 'gas-k', kind: 'gas', location: 'kitchen-1' },
  { id: 'elec-1', kind: 'electrical', location: 'board-1' },
  { id: 'door-x', kind: 'door', location: 'exit-1' },
  { id: 'pir-c', kind: 'pir', location: 'corridor-1' },
  { id: 'pir-d', kind: 'pir', location: 'dwelling-1' },
];

/** Every device of a resident's night: what a normal night and its nuisances play on. */
export const BEDSIDE = ['wb-1', 'bm-1', 'btn-1', 'wb-2', 'bm-2', 'door-2'] as const;
export const HAZARDS = ['smk-1', 'smk-k', 'gas-k', 'elec-1'] as const;
export const ALL_DEVICES = DEVICES.map((d) => d.id);

/** A device of the library's facility by id (a typed error for an id it does not have). */
export function worldDevice(id: string): WorldDevice {
  const device = DEVICES.find((d) => d.id === id);
  if (!device) throw SimUnknownDevice(`no device ${id} in the library's facility`);
  return device;
}

/** Epoch ms of a local date and time in the library's zone (UTC+8 all year), e.g. `localTime(3, '23:10')`. */
export function localTime(day: number, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return Date.UTC(2026, 10, 2 + day, h - 8, m);
}
