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
  what: Change | ((result: T) => Change),
  work: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const entry = (c: Change) => ({ actor: principal.actor, details: {}, ...c });
  return audited(ctx.db, typeof what === 'function' ? (result: T) => entry(what(result)) : entry(what), work);
}
