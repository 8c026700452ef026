import type { Queryable } from '@vigil/core';
import type { ReadingSample } from '@vigil/protocol';
import { readingColumnList, rowToSample, type ReadingTable } from './columns.js';

/** One stored device message, as the rules see it again after a restart. */
export type ActivityRow = { deviceId: string; time: number; seq: number } & (
  | { table: ReadingTable; sample: ReadingSample }
  | { table: 'device_events'; type: string; confidence: number | null }
  | {
      table: 'device_status';
      source: 'status' | 'connect' | 'disconnect' | 'will';
      online: boolean;
      battery: number | null;
      fw: string | null;
    }
);

type Raw = Record<string, unknown>;
type ActivityTable = ActivityRow['table'];

const base = (row: Raw) => ({
  deviceId: row.device_id as string,
  time: (row.time as Date).getTime(),
  seq: Number(row.seq),
});

const SOURCES: Record<ActivityTable, { columns: string; map(row: Raw): ActivityRow }> = {
  vitals: {
    columns: readingColumnList('vitals'),
    map: (row) => ({ ...base(row), table: 'vitals', sample: rowToSample('vitals', row, base(row).time) }),
  },
  environment: {
    columns: readingColumnList('environment'),
    map: (row) => ({ ...base(row), table: 'environment', sample: rowToSample('environment', row, base(row).time) }),
  },
  device_events: {
    columns: 'type, confidence',
    map: (row) => ({
      ...base(row),
      table: 'device_events',
      type: row.type as string,
      confidence: row.confidence as number | null,
    }),
  },
  device_status: {
    columns: 'source, online, battery, fw',
    map: (row) => ({
      ...base(row),
      table: 'device_status',
      source: row.source as 'status',
      online: row.online as boolean,
      battery: row.battery as number | null,
      fw: row.fw as string | null,
    }),
  },
};

/**
 * The recent past of every device of `facilities` (null: all), in time order: each table's rows after `since` (at
 * most `limit` per table),
 * each device's newest row in the week before, and each motion sensor's newest motion in the two days before —
 * so sustained windows, last-seen times and inactivity timers can resume where they were.
 */
export async function readActivitySince(
  db: Queryable,
  since: number,
  limit: number,
  facilities: readonly string[] | null,
): Promise<ActivityRow[]> {
  const at = new Date(since);
  const mine = '($3::text[] IS NULL OR facility_id = ANY($3))';
  const queries = (Object.keys(SOURCES) as ActivityTable[]).flatMap((table) => {
    const { columns, map } = SOURCES[table];
    const select = `time, device_id, seq, ${columns}`;
    return [
      db
        .query(
          `SELECT * FROM (SELECT ${select} FROM ${table} WHERE time > $1 AND ${mine} ORDER BY time DESC LIMIT $2) w`,
          [at, limit, facilities],
        )
        .then((r) => r.rows.map(map)),
      db
        .query(
          `SELECT DISTINCT ON (device_id) ${select} FROM ${table}
           WHERE time <= $1 AND time > $1 - interval '7 days' AND ($2::text[] IS NULL OR facility_id = ANY($2))
           ORDER BY device_id, time DESC`,
          [at, facilities],
        )
        .then((r) => r.rows.map(map)),
    ];
  });
  const environment = SOURCES.environment;
  queries.push(
    db
      .query(
        `SELECT DISTINCT ON (device_id) time, device_id, seq, ${environment.columns} FROM environment
         WHERE motion > 0 AND time <= $1 AND time > $1 - interval '2 days' AND ($2::text[] IS NULL OR facility_id = ANY($2))
         ORDER BY device_id, time DESC`,
        [at, facilities],
      )
      .then((r) => r.rows.map(environment.map)),
  );
  return (await Promise.all(queries)).flat().sort((a, b) => a.time - b.time);
}
