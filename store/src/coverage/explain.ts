import type { Queryable } from '@vigil/core';
import { DATA_GAPS_SQL } from '../history/data-gaps.js';
import { LOWEST_BATTERIES_SQL } from './facts.js';
import { DEFAULT_POLICY } from './policy.js';

export interface AuditQueryPlan {
  statement: 'data-gaps' | 'lowest-batteries';
  /** The hypertable chunks the plan reads (`_hyper_<table>_<n>_chunk`): only those overlapping the period. */
  chunks: string[];
  /** With `analyze`: the chunks a scan actually ran on (runtime exclusion drops the others); else null. */
  executed: string[] | null;
  plan: unknown;
}

function relations(node: unknown, into: Set<string>, executedOnly: boolean): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => relations(n, into, executedOnly));
  else if (node && typeof node === 'object') {
    const n = node as Record<string, unknown>;
    const name = n['Relation Name'];
    const ran = !executedOnly || (typeof n['Actual Loops'] === 'number' && n['Actual Loops'] > 0);
    if (typeof name === 'string' && name.startsWith('_hyper_') && ran) into.add(name);
    for (const value of Object.values(n)) if (value && typeof value === 'object') relations(value, into, executedOnly);
  }
  return into;
}

/**
 * The query plans of the audit's two time-series reads over [from, to), with the chunks each reads, to show
 * TimescaleDB's chunk exclusion (docs/ARCHITECTURE.md "Coverage audit"; the coverage benchmark prints them).
 * `analyze` runs the statements (EXPLAIN ANALYZE) and also reports the chunks actually scanned.
 */
export async function auditQueryPlans(
  db: Queryable,
  facility: string,
  from: Date,
  to: Date,
  options: { analyze?: boolean } = {},
): Promise<AuditQueryPlan[]> {
  const statements = [
    ['data-gaps', DATA_GAPS_SQL, [facility, from, to, null]],
    ['lowest-batteries', LOWEST_BATTERIES_SQL, [facility, from, to, DEFAULT_POLICY.lowBattery]],
  ] as const;
  return Promise.all(
    statements.map(async ([statement, sql, params]) => {
      const { rows } = await db.query(`EXPLAIN (${options.analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${sql}`, [...params]);
      const plan = rows[0]['QUERY PLAN'];
      const chunks = (executedOnly: boolean) => [...relations(plan, new Set(), executedOnly)].sort();
      return { statement, chunks: chunks(false), executed: options.analyze ? chunks(true) : null, plan };
    }),
  );
}
