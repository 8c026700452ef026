import type { Queryable } from '@vigil/core';
import { audited, type Principal } from '@vigil/store';
import type { ApiContext } from './http.js';

/** What a write changes, for its audit entry. */
export interface Change {
  /** `<resource>.<verb>`, e.g. `resident.update`. */
  action: string;
  facility: string | null;
  target: string;
  details?: Record<string, unknown>;
}

/** Runs a write and its audit entry (`audit_log`, who and what) in one transaction. */
export function change<T>(
  ctx: ApiContext,
  principal: Principal,
  what: Change,
  work: (tx: Queryable) => Promise<T>,
): Promise<T> {
  return audited(ctx.db, { actor: principal.actor, details: {}, ...what }, work);
}
