import type { Alert } from '@vigil/protocol';
import type { DeviceContext, RegistryCache } from './registry-cache.js';

/** Who a call button's `presence` is recorded as: the button itself (docs/alerts.md "Presence at the resident"). */
export const deviceActor = (device: string): string => `device:${device}`;

/**
 * Which alerts a call button's `presence` event concerns: those of its room and those of the residents whose room
 * it is (and of its own resident, for a button assigned to one). The book applies it to unresolved calls only.
 */
export function presenceConcerns(context: DeviceContext, registry: RegistryCache): (alert: Alert) => boolean {
  const { device, location } = context;
  const room = location?.id ?? null;
  const residents = room ? registry.residentsAt(device.facility, room) : new Set<string>();
  return (alert) =>
    (room !== null && alert.location === room) ||
    (alert.resident !== null && (alert.resident === device.resident || residents.has(alert.resident)));
}
