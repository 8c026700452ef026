import { checkout, inTransaction, type Pool, type Queryable } from '@vigil/core';
import { scopeClause, type Principal } from '../registry/accounts.js';

/** One entry of `audit_log`: who did or read what, about which facility's data. */
export interface AccessEntry {
  actor: string;
  /** `<resource>.<verb>`, e.g. `resident.vitals.read`, `device.register`. */
  action: string;
  /** What it concerned, e.g. `resident:f1/anna`, `device:wb-1`. */
  target: string | null;
  facility: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow extends Required<AccessEntry> {
  id: number;
  at: Date;
}

/**
 * Appends one entry to `audit_log` (PIPL Art. 47 / GB/T 35273 §9: who read or changed residents' data, when,
 * what). Give it the transaction of the write it records so that neither exists without the other.
 */
export async function recordAccess(db: Queryable, entry: AccessEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, target, facility_id, details) VALUES ($1, $2, $3, $4, $5)', [
    entry.actor,
    entry.action,
    entry.target,
    entry.facility,
    JSON.stringify(entry.details ?? {}),
  ]);
}

/** Filters of the audit log; `before` is the id keyset cursor (newest first). */
export interface AuditFilter {
  facility?: string;
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  before?: number;
  limit: number;
}

/** Audit entries in the principal's scope, newest first; entries without a facility are the admin's only. */
export async function listAccess(db: Queryable, principal: Principal, f: AuditFilter): Promise<AuditRow[]> {
  const params: unknown[] = [f.facility ?? null, f.actor ?? null, f.action ?? null, f.target ?? null];
  params.push(f.from ?? null, f.to ?? null, f.before ?? null, f.limit);
  const { rows } = await db.query<AuditRow>(
    `SELECT id::int, at, actor, action, target, facility_id AS facility, details FROM audit_log
     WHERE ($1::text IS NULL OR facility_id = $1) AND ($2::text IS NULL OR actor = $2)
       AND ($3::text IS NULL OR action LIKE $3 || '%') AND ($4::text IS NULL OR target = $4)
       AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
       AND ($7::bigint IS NULL OR id < $7)
       AND ${principal.role === 'admin' ? 'TRUE' : `facility_id IS NOT NULL AND ${scopeClause(principal, 'facility_id', params)}`}
     ORDER BY id DESC LIMIT $8`,
    params,
  );
  return rows;
}

/** Deletes audit entries older than `cutoff` (the retention job); returns how many. */
export async function deleteAuditBefore(db: Queryable, cutoff: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM audit_log WHERE at < $1', [cutoff]);
  return rowCount ?? 0;
}

/**
 * Runs a write and its audit entry in one transaction: the change and the record of who made it commit together.
 */
export async function audited<T>(pool: Pool, entry: AccessEntry, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return checkout(pool, (client) =>
    inTransaction(client, async () => {
      const result = await work(client);
      await recordAccess(client, entry);
      return result;
    }),
  );
}
