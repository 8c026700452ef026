import type { Principal } from './registry/accounts.js';

/**
 * A SQL condition restricting `column` (a facility id column) to the principal's scope: everything for admins,
 * the region's facilities for regulators, the token's facility otherwise. Appends its parameter to `params`.
 */
export function scopeClause(principal: Principal, column: string, params: unknown[]): string {
  if (principal.role === 'admin') return 'TRUE';
  if (principal.role === 'regulator') {
    params.push(principal.region);
    return `${column} IN (SELECT id FROM facilities WHERE region = $${params.length})`;
  }
  params.push(principal.facility);
  return `${column} = $${params.length}`;
}
