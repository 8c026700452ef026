import type pg from 'pg';
import { alertSchema, type Alert } from '@vigil/protocol';
import type { Tracked } from './alert-book.js';
import type { EventLogSeed } from './event-log.js';
import type { RuleInput } from './rules/types.js';

/** Where the event log resumes: max(id) and each facility's newest hash. */
export async function loadEventLogSeed(pool: pg.Pool): Promise<EventLogSeed> {
  const [max, hashes] = await Promise.all([
    pool.query<{ id: string | null }>('SELECT max(id) AS id FROM alert_events'),
    pool.query<{ facility_id: string; hash: Buffer }>(
      'SELECT DISTINCT ON (facility_id) facility_id, hash FROM alert_events ORDER BY facility_id, id DESC',
    ),
  ]);
  return {
    lastEventId: Number(max.rows[0]?.id ?? 0),
    lastHashes: new Map(hashes.rows.map((row) => [row.facility_id, row.hash])),
  };
}

/** The unresolved alerts, with the times the escalation timers and the update throttle run from. */
export async function loadUnresolvedAlerts(pool: pg.Pool): Promise<Tracked[]> {
  const { rows } = await pool.query(
    `SELECT e.data, last.at AS last_event_at, esc.at AS last_escalated_at
     FROM alerts a
     JOIN LATERAL (SELECT data, at FROM alert_events WHERE alert_id = a.id ORDER BY id DESC LIMIT 1) e ON true
     JOIN LATERAL (SELECT max(at) AS at FROM alert_events WHERE alert_id = a.id) last ON true
     JOIN LATERAL (SELECT max(at) AS at FROM alert_events WHERE alert_id = a.id AND type = 'escalated') esc ON true
     WHERE a.status <> 'resolved'`,
  );
  return rows.map((row) => ({
    // The newest event holds the alert exactly as it was published; the alerts row is its projection.
    alert: alertSchema.parse(row.data) as Alert,
    lastEventAt: (row.last_event_at as Date).getTime(),
    lastEscalatedAt: row.last_escalated_at ? (row.last_escalated_at as Date).getTime() : null,
  }));
}

/** A stored message to feed back through the rules, in time order. */
export interface ReplayItem {
  device: string;
  at: number;
  input: RuleInput;
}

const VITAL_FIELDS = { hr: 'hr', spo2: 'spo2', rr: 'rr', sbp: 'sbp', dbp: 'dbp', skin_temp: 'skinTemp', worn: 'worn' };
const BED_FIELDS = { occupied: 'occupied', motion: 'motion', sleep: 'sleep', battery: 'battery' };
const ENV_FIELDS = {
  smoke: 'smoke',
  temp: 'temp',
  lel: 'lel',
  co: 'co',
  residual_ma: 'residualMa',
  cable_temp: 'cableTemp',
  current_a: 'currentA',
  open: 'open',
  motion: 'motion',
  battery: 'battery',
};

function readingFrom(row: Record<string, unknown>, fields: Record<string, string>): ReplayItem {
  const ts = (row.time as Date).getTime();
  const sample: Record<string, unknown> = { ts };
  for (const [column, field] of Object.entries(fields)) if (row[column] !== null) sample[field] = row[column];
  return {
    device: row.device_id as string,
    at: ts,
    input: { type: 'reading', seq: Number(row.seq), sample: sample as { ts: number } },
  };
}

// Each source: the rows of the window, plus each device's newest row before it, so last-seen survives too.
const SOURCES: { table: string; columns: string; map(row: Record<string, unknown>): ReplayItem }[] = [
  {
    table: 'vitals',
    columns: `hr, spo2, rr, sbp, dbp, skin_temp, worn, occupied, motion, sleep, battery`,
    map: (row) => readingFrom(row, { ...VITAL_FIELDS, ...BED_FIELDS }),
  },
  {
    table: 'environment',
    columns: `smoke, temp, lel, co, residual_ma, cable_temp, current_a, open, motion, battery`,
    map: (row) => readingFrom(row, ENV_FIELDS),
  },
  {
    table: 'device_events',
    columns: `type, confidence`,
    map: (row) => {
      const ts = (row.time as Date).getTime();
      const event = {
        seq: Number(row.seq),
        ts,
        type: row.type,
        ...(row.confidence === null ? {} : { confidence: row.confidence }),
      };
      return { device: row.device_id as string, at: ts, input: { type: 'event', event: event as never } };
    },
  },
  {
    table: 'device_status',
    columns: `source, online, battery, fw`,
    map: (row) => {
      const ts = (row.time as Date).getTime();
      const status = {
        online: row.online as boolean,
        ts,
        ...(Number(row.seq) >= 0 ? { seq: Number(row.seq) } : {}),
        ...(row.battery === null ? {} : { battery: row.battery as number }),
        ...(row.fw === null ? {} : { fw: row.fw as string }),
      };
      return {
        device: row.device_id as string,
        at: ts,
        input: { type: 'status', status, will: row.source === 'will' },
      };
    },
  },
];

/**
 * The recent past for the rules to replay on start (with raising suppressed): every stored message of the last
 * `windowMs`, each device's newest message before that, and each motion sensor's newest motion — so sustained
 * windows, last-seen times and inactivity timers resume where they were. At most `limit` rows per table.
 */
export async function loadReplay(pool: pg.Pool, now: number, windowMs: number, limit: number): Promise<ReplayItem[]> {
  const since = new Date(now - windowMs);
  const queries = SOURCES.flatMap(({ table, columns, map }) => {
    const select = `time, device_id, seq, ${columns}`;
    return [
      pool
        .query(`SELECT * FROM (SELECT ${select} FROM ${table} WHERE time > $1 ORDER BY time DESC LIMIT $2) w`, [
          since,
          limit,
        ])
        .then((r) => r.rows.map(map)),
      pool
        .query(
          `SELECT DISTINCT ON (device_id) ${select} FROM ${table} WHERE time <= $1 AND time > $1 - interval '7 days'
           ORDER BY device_id, time DESC`,
          [since],
        )
        .then((r) => r.rows.map(map)),
    ];
  });
  queries.push(
    pool
      .query(
        `SELECT DISTINCT ON (device_id) time, device_id, seq, ${SOURCES[1]!.columns} FROM environment
         WHERE motion > 0 AND time <= $1 AND time > $1 - interval '2 days' ORDER BY device_id, time DESC`,
        [since],
      )
      .then((r) => r.rows.map(SOURCES[1]!.map)),
  );
  const items = (await Promise.all(queries)).flat();
  return items.sort((a, b) => a.at - b.at);
}
