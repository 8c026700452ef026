import type { Queryable } from '@vigil/core';

/** One audit record: who did what to which target, with details that never hold a secret. */
export interface AuditEntry {
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  /** Default: the database's now(). */
  at?: Date;
}

export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

/** Appends one record to `audit_log`. */
export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (at, actor, action, target, details) VALUES (coalesce($1, now()), $2, $3, $4, $5)',
    [entry.at ?? null, entry.actor, entry.action, entry.target ?? null, JSON.stringify(entry.details ?? {})],
  );
}

/** Audit records, newest first, optionally of one action or target only. */
export async function listAudit(
  db: Queryable,
  filter: { action?: string; target?: string; limit?: number } = {},
): Promise<AuditRecord[]> {
  const params: unknown[] = [];
  const where = ['TRUE'];
  if (filter.action) where.push(`action = $${params.push(filter.action)}`);
  if (filter.target) where.push(`target = $${params.push(filter.target)}`);
  const { rows } = await db.query(
    `SELECT id::int, at, actor, action, target, details FROM audit_log WHERE ${where.join(' AND ')}
     ORDER BY id DESC LIMIT $${params.push(filter.limit ?? 100)}`,
    params,
  );
  return rows;
}
