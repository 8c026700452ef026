import { randomUUID } from 'node:crypto';
import type { Queryable } from '@vigil/core';

/** An alert with known response times, written straight into `alerts` (the analytics read nothing else). */
export interface SeededAlert {
  raised: Date;
  rule: string;
  device: string;
  drill?: boolean;
  /** Seconds after raised; absent: never. */
  ack?: number;
  presence?: number;
  resolve?: number;
  outcome?: string;
}

/** A wall-clock time in Asia/Shanghai (UTC+8, no daylight saving), e.g. `2026-11-10T23:00:00`. */
export const shanghai = (wallClock: string): Date => new Date(`${wallClock}+08:00`);

export async function insertSeededAlert(db: Queryable, facility: string, a: SeededAlert): Promise<string> {
  const id = randomUUID();
  const after = (s: number | undefined) => (s === undefined ? null : new Date(a.raised.getTime() + s * 1000));
  const status = a.resolve !== undefined ? 'resolved' : a.ack !== undefined ? 'acknowledged' : 'open';
  await db.query(
    `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, device_id, detail, drill, raised_at,
       occurred_at, last_seen_at, acknowledged_at, acknowledged_by, present_at, present_by, resolved_at, resolved_by,
       outcome)
     VALUES ($1, $2, $3, 'critical', $4, $5, $6, 'seeded', $7, $8, $8, $8, $9, 'zhang', $10, 'zhang', $11, 'zhang', $12)`,
    [
      id,
      facility,
      a.rule,
      status,
      `device:${a.device}:${id}`,
      a.device,
      a.drill ?? false,
      a.raised,
      after(a.ack),
      after(a.presence),
      after(a.resolve),
      a.outcome ?? null,
    ],
  );
  return id;
}
