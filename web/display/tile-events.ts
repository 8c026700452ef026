import type { Alert } from '../shared/api.js';

/** What an alert tile asks for (AlertTile, passed on by AlertGroup and WallBoard). */
export interface TileEvents {
  acknowledge: [alert: Alert];
  presence: [alert: Alert];
  resolve: [alert: Alert, what: string];
  details: [alert: Alert, what: string];
}
