import type { Queryable } from '@vigil/core';
import type { ReadingSample } from '@vigil/protocol';
import { READING_COLUMNS, rowToSample, type ReadingTable } from './columns.js';

/** What one device reported in a time window, oldest first (at most `limit` rows of each kind). */
export interface DeviceWindow {
  events: { time: Date; type: string; confidence: number | null }[];
  statusChanges: { time: Date; source: string; online: boolean; battery: number | null }[];
  /** Readings as protocol samples (non-null fields only); empty when not asked for. */
  readings: ReadingSample[];
}

const readingSelect = (table: ReadingTable) => `time, ${READING_COLUMNS[table].map((c) => c.column).join(', ')}`;

/** Reads a device's events, status changes and (when `readings` names its table) readings in [from, to]. */
export async function readDeviceWindow(
  db: Queryable,
  device: string,
  window: { from: Date; to: Date; limit: number; readings: ReadingTable | null },
): Promise<DeviceWindow> {
  const range = [device, window.from, window.to, window.limit];
  const between = 'device_id = $1 AND time >= $2 AND time <= $3 ORDER BY time LIMIT $4';
  const table = window.readings;
  const [events, status, readings] = await Promise.all([
    db.query(`SELECT time, type, confidence FROM device_events WHERE ${between}`, range),
    db.query(`SELECT time, source, online, battery FROM device_status WHERE ${between}`, range),
    table ? db.query(`SELECT ${readingSelect(table)} FROM ${table} WHERE ${between}`, range) : { rows: [] },
  ]);
  return {
    events: events.rows,
    statusChanges: status.rows,
    readings: readings.rows.map((row: Record<string, unknown>) =>
      rowToSample(table!, row, (row.time as Date).getTime()),
    ),
  };
}

/** The newest vitals reading of each of a resident's devices within the last day, as protocol samples. */
export async function readLatestVitals(
  db: Queryable,
  facility: string,
  resident: string,
): Promise<{ device: string; sample: ReadingSample }[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (device_id) device_id, ${readingSelect('vitals')}
     FROM vitals WHERE facility_id = $1 AND resident_id = $2 AND time > now() - interval '1 day'
     ORDER BY device_id, time DESC`,
    [facility, resident],
  );
  return rows.map((row: Record<string, unknown>) => ({
    device: row.device_id as string,
    sample: rowToSample('vitals', row, (row.time as Date).getTime()),
  }));
}

/** The latest status changes of a device, newest first. */
export async function readStatusChanges(
  db: Queryable,
  device: string,
  limit: number,
): Promise<{ time: Date; source: string; online: boolean; battery: number | null; fw: string | null }[]> {
  const { rows } = await db.query(
    `SELECT time, source, online, battery, fw FROM device_status WHERE device_id = $1 ORDER BY time DESC LIMIT $2`,
    [device, limit],
  );
  return rows;
}
