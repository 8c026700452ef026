import type { Queryable } from '@vigil/core';
import type { AlertEvent } from '@vigil/protocol';

/** Where the event log resumes: each facility's highest stored event id and its newest hash. */
export interface EventLogPosition {
  lastEventIds: Map<string, number>;
  lastHashes: Map<string, Buffer>;
}

/** Reads where the event log of `facilities` (null: all) resumes: each one's newest event. */
export async function readEventLogPosition(
  db: Queryable,
  facilities: readonly string[] | null,
): Promise<EventLogPosition> {
  const { rows } = await db.query<{ facility_id: string; id: string; hash: Buffer }>(
    `SELECT f.id AS facility_id, e.id, e.hash FROM facilities f
     JOIN LATERAL (SELECT id, hash FROM alert_events WHERE facility_id = f.id ORDER BY id DESC LIMIT 1) e ON true
     WHERE $1::text[] IS NULL OR f.id = ANY($1)`,
    [facilities],
  );
  return {
    lastEventIds: new Map(rows.map((row) => [row.facility_id, Number(row.id)])),
    lastHashes: new Map(rows.map((row) => [row.facility_id, row.hash])),
  };
}

/** An unresolved alert as its newest event published it, with the times its timers run from. */
export interface UnresolvedAlertRow {
  /** The `data` of the alert's newest event (the alert exactly as published; the alerts row is its projection). */
  data: unknown;
  lastEventAt: number;
  lastEscalatedAt: number | null;
}

/** Reads every unresolved alert of `facilities` (null: all) with the time of its last event and last escalation. */
export async function readUnresolvedAlerts(
  db: Queryable,
  facilities: readonly string[] | null,
): Promise<UnresolvedAlertRow[]> {
  const { rows } = await db.query<{ data: unknown; last_event_at: Date; last_escalated_at: Date | null }>(
    `SELECT e.data, last.at AS last_event_at, esc.at AS last_escalated_at
     FROM alerts a
     JOIN LATERAL (SELECT data, at FROM alert_events WHERE alert_id = a.id ORDER BY id DESC LIMIT 1) e ON true
     JOIN LATERAL (SELECT max(at) AS at FROM alert_events WHERE alert_id = a.id) last ON true
     JOIN LATERAL (SELECT max(at) AS at FROM alert_events WHERE alert_id = a.id AND type = 'escalated') esc ON true
     WHERE a.status <> 'resolved' AND ($1::text[] IS NULL OR a.facility_id = ANY($1))`,
    [facilities],
  );
  return rows.map((row) => ({
    data: row.data,
    lastEventAt: row.last_event_at.getTime(),
    lastEscalatedAt: row.last_escalated_at?.getTime() ?? null,
  }));
}

/** One stored link of a facility's hash chain, as `vigil audit verify` checks it. */
export interface ChainLinkRow {
  id: number;
  facility: string;
  type: AlertEvent['event'];
  at: Date;
  actor: string | null;
  data: AlertEvent['alert'];
  prevHash: Buffer | null;
  hash: Buffer;
}

/** The facilities with alert events (or just `facility` when given and present). */
export async function readChainFacilities(db: Queryable, facility?: string): Promise<string[]> {
  const { rows } = await db.query<{ facility_id: string }>(
    `SELECT DISTINCT facility_id FROM alert_events WHERE $1::text IS NULL OR facility_id = $1 ORDER BY 1`,
    [facility ?? null],
  );
  return rows.map((row) => row.facility_id);
}

/** A page of a facility's chain after event id `after`, in id order. */
export async function readChainPage(
  db: Queryable,
  facility: string,
  after: number,
  limit: number,
): Promise<ChainLinkRow[]> {
  const { rows } = await db.query<ChainLinkRow>(
    `SELECT id, facility_id AS facility, type, at, actor, data, prev_hash AS "prevHash", hash
     FROM alert_events WHERE facility_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [facility, after, limit],
  );
  for (const row of rows) row.id = Number(row.id); // bigint arrives as a string
  return rows;
}
