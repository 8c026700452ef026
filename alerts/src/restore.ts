import type pg from 'pg';
import {
  readActivitySince,
  readEventLogPosition,
  readUnresolvedAlerts,
  storedAlertSchema,
  type ActivityRow,
} from '@vigil/store';
import type { Tracked } from './alert-book.js';
import type { EventLogSeed } from './event-log.js';
import type { RuleInput } from './rules/types.js';

/** Where the event log of the worker's facilities resumes: each one's newest id and hash. */
export const loadEventLogSeed = (pool: pg.Pool, facilities: readonly string[]): Promise<EventLogSeed> =>
  readEventLogPosition(pool, facilities);

/** The facilities' unresolved alerts, with the times the escalation timers and the update throttle run from. */
export async function loadUnresolvedAlerts(pool: pg.Pool, facilities: readonly string[]): Promise<Tracked[]> {
  return (await readUnresolvedAlerts(pool, facilities)).map((row) => ({
    // The newest event holds the alert exactly as it was published; the alerts row is its projection.
    alert: storedAlertSchema.parse(row.data),
    lastEventAt: row.lastEventAt,
    lastEscalatedAt: row.lastEscalatedAt,
  }));
}

/** A stored message to feed back through the rules, in time order. */
export interface ReplayItem {
  device: string;
  at: number;
  input: RuleInput;
}

/** A stored row → the rule input it was when it arrived. */
function toReplayItem(row: ActivityRow): ReplayItem {
  const at = row.time;
  const item = (input: RuleInput): ReplayItem => ({ device: row.deviceId, at, input });
  switch (row.table) {
    case 'vitals':
    case 'environment':
      return item({ type: 'reading', seq: row.seq, sample: row.sample });
    case 'device_events':
      return item({
        type: 'event',
        event: {
          seq: row.seq,
          ts: at,
          type: row.type,
          ...(row.confidence === null ? {} : { confidence: row.confidence }),
        } as never,
      });
    case 'device_status':
      return item({
        type: 'status',
        status: {
          online: row.online,
          ts: at,
          ...(row.seq >= 0 ? { seq: row.seq } : {}),
          ...(row.battery === null ? {} : { battery: row.battery }),
          ...(row.fw === null ? {} : { fw: row.fw }),
        },
        will: row.source === 'will',
      });
  }
}

/**
 * The recent past of the worker's facilities for the rules to replay on start (with raising suppressed): every stored message of the last
 * `windowMs`, each device's newest message before that, and each motion sensor's newest motion — so sustained
 * windows, last-seen times and inactivity timers resume where they were. At most `limit` rows per table.
 */
export async function loadReplay(
  pool: pg.Pool,
  facilities: readonly string[],
  { now, windowMs, limit }: { now: number; windowMs: number; limit: number },
): Promise<ReplayItem[]> {
  return (await readActivitySince(pool, now - windowMs, limit, facilities)).map(toReplayItem);
}
