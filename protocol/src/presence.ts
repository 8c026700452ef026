// No runtime imports: the wall display imports this file on its own (`@vigil/protocol/presence`), without zod.
import type { Alert } from './alerts.js';

/**
 * Rules about the equipment rather than a person in need: nobody has to be at a resident to deal with them, so they
 * are resolved without presence (docs/alerts.md "Presence at the resident").
 */
export const MAINTENANCE_RULES = [
  'device_offline',
  'low_battery',
  'band_not_worn',
  'connectivity',
  'flood_control',
  'notification_channel',
] as const;

/**
 * A call in the sense of DIN VDE 0834: an alert about a resident or a place that is cleared only once a caregiver was
 * there. Resolving it needs presence first (the room's call button, or marked on the display).
 */
export function needsPresence(alert: Pick<Alert, 'rule' | 'resident' | 'location'>): boolean {
  return (
    !(MAINTENANCE_RULES as readonly string[]).includes(alert.rule) &&
    (alert.resident !== null || alert.location !== null)
  );
}
