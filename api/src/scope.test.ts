import type { Pool } from '@vigil/core';
import type { Alert } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { Directory } from './scope.js';
import { refusalStatus as commandErrorStatus, scopeClause, type Principal } from '@vigil/store';
import { decodeCursor, encodeCursor } from './paging.js';
import { alertView, inScope } from './scope.js';

const principal = (role: Principal['role'], scope: { facility?: string; region?: string } = {}): Principal => ({
  tokenId: 't',
  role,
  facility: scope.facility ?? null,
  region: scope.region ?? null,
  user: null,
  actor: role,
});

/** A directory loaded from canned rows instead of a database. */
async function directory(): Promise<Directory> {
  const rows = {
    facilities: [
      { id: 'f1', region: 'north' },
      { id: 'f3', region: 'south' },
    ],
    residents: [{ facility: 'f1', id: 'anna', pseudonym: 'R-1a2b3c' }],
  };
  const db = {
    query: async (sql: string) => ({ rows: sql.includes('FROM facilities') ? rows.facilities : rows.residents }),
  };
  const dir = new Directory(db as unknown as Pool);
  await dir.load();
  return dir;
}

const alert = {
  facility: 'f1',
  rule: 'vitals',
  resident: 'anna',
  subject: 'resident:anna',
  detail: 'SpO2 82 % for 60 s',
  note: 'Anna was dizzy',
} as Alert;

describe('scoping and privacy', () => {
  it('scopes by facility, by region for regulators, not at all for admins', async () => {
    const dir = await directory();
    expect(inScope(principal('caregiver', { facility: 'f1' }), 'f1', dir)).toBe(true);
    expect(inScope(principal('display', { facility: 'f1' }), 'f3', dir)).toBe(false);
    expect(inScope(principal('regulator', { region: 'north' }), 'f1', dir)).toBe(true);
    expect(inScope(principal('regulator', { region: 'north' }), 'f3', dir)).toBe(false);
    expect(inScope(principal('regulator', { region: 'north' }), 'unknown', dir)).toBe(false);
    expect(inScope(principal('admin'), 'f3', dir)).toBe(true);
    const params: unknown[] = ['x'];
    expect(scopeClause(principal('regulator', { region: 'north' }), 'a.facility_id', params)).toBe(
      'a.facility_id IN (SELECT id FROM facilities WHERE region = $2)',
    );
    expect(params).toEqual(['x', 'north']);
    expect(scopeClause(principal('admin'), 'a.facility_id', [])).toBe('TRUE');
  });

  it('shows regulators a pseudonym and no detail or note; everyone else the alert as is', async () => {
    const dir = await directory();
    expect(alertView(principal('regulator', { region: 'north' }), alert, dir)).toMatchObject({
      resident: 'R-1a2b3c',
      subject: 'resident:R-1a2b3c',
      detail: 'vitals alert',
      note: null,
    });
    expect(alertView(principal('caregiver', { facility: 'f1' }), alert, dir)).toBe(alert);
    // A short id must not be replaced inside other words of the subject.
    const short = { ...alert, resident: 'e', subject: 'resident:e' };
    expect(alertView(principal('regulator', { region: 'north' }), short, dir).subject).toBe('resident:unknown');
  });

  it('maps the alerts service refusals to HTTP statuses', () => {
    expect(commandErrorStatus('VIGIL_ERR_ALERTS_ALREADY_RESOLVED')).toBe(409);
    expect(commandErrorStatus('VIGIL_ERR_ALERTS_NOT_FOUND')).toBe(404);
    expect(commandErrorStatus('VIGIL_ERR_ALERTS_INVALID_COMMAND')).toBe(400);
    expect(commandErrorStatus('VIGIL_ERR_DB_UNAVAILABLE')).toBe(503);
  });

  it('round-trips cursors and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor(['2026-11-01T10:00:00.000Z', 'id']), 2)).toEqual([
      '2026-11-01T10:00:00.000Z',
      'id',
    ]);
    expect(decodeCursor(undefined, 2)).toBeNull();
    expect(() => decodeCursor(encodeCursor(['one']), 2)).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => decodeCursor('%%%', 1)).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_API_VALIDATION' }));
  });
});
