import { createHash } from 'node:crypto';
import type { AlertEvent } from '@vigil/protocol';
import type { ChainLinkRow } from '@vigil/store';

/**
 * Canonical JSON: object keys sorted at every level, no whitespace. The stored `data` is jsonb, which does not
 * keep key order, so the hash must not depend on it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash = sha256(prev_hash || canonical JSON of the event); the first event of a facility has no prev_hash. */
export function hashEvent(prevHash: Buffer | null, event: AlertEvent): Buffer {
  const hash = createHash('sha256');
  if (prevHash) hash.update(prevHash);
  hash.update(canonicalJson(event));
  return hash.digest();
}

/** One stored row of `alert_events`, as the audit reads it (the store's reader). */
export type ChainRow = ChainLinkRow;

export interface ChainBreak {
  facility: string;
  eventId: number;
  reason: string;
}

/** The event a row stands for: the inverse of how the event log writes it. */
export function rowToEvent(row: ChainRow): AlertEvent {
  return { eventId: row.id, event: row.type, at: row.at.toISOString(), actor: row.actor, alert: row.data };
}

/**
 * Walks one facility's rows in id order and returns the first broken link: a row whose content no longer
 * matches its hash (edited), or whose prev_hash is not the previous row's hash (deleted or inserted rows).
 */
export class ChainVerifier {
  private previous: Buffer | null = null;
  private count = 0;

  constructor(readonly facility: string) {}

  get verified(): number {
    return this.count;
  }

  check(row: ChainRow): ChainBreak | null {
    const broken = (reason: string) => ({ facility: this.facility, eventId: row.id, reason });
    if (this.previous === null ? row.prevHash !== null : !row.prevHash?.equals(this.previous)) {
      return broken(
        this.previous === null
          ? 'the first event of the facility has a prev_hash (earlier events are missing)'
          : 'prev_hash is not the hash of the previous event (an event was removed or inserted)',
      );
    }
    if (!hashEvent(row.prevHash, rowToEvent(row)).equals(row.hash)) {
      return broken('the content does not match its hash (the event was changed)');
    }
    this.previous = row.hash;
    this.count += 1;
    return null;
  }
}
