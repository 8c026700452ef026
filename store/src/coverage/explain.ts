import type { Queryable } from '@vigil/core';
import { DATA_GAPS_SQL } from '../history/data-gaps.js';
import { LOWEST_BATTERIES_SQL } from './facts.js';
import { DEFAULT_POLICY } from './policy.js';

export interface AuditQueryPlan {
  statement: 'data-gaps' | 'lowest-batteries';
  /** The hypertable chunks the plan reads (`_hyper_<table>_<n>_chunk`): only those overlapping the period. */
  chunks: string[];
  plan: unknown;
}

function relations(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => relations(n, into));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Relation Name' && typeof value === 'string' && value.startsWith('_hyper_')) into.add(value);
      else relations(value, into);
    }
  }
  return into;
}

/**
 * The query plans of the audit's two time-series reads over [from, to), with the chunks each reads, to show
 * TimescaleDB's chunk exclusion (docs/ARCHITECTURE.md "Coverage audit"; the coverage benchmark prints them).
 */
export async function auditQueryPlans(db: Queryable, facility: string, from: Date, to: Date): Promise<AuditQueryPlan[]> {
  const statements = [
    ['data-gaps', DATA_GAPS_SQL, [facility, from, to, null]],
    ['lowest-batteries', LOWEST_BATTERIES_SQL, [facility, from, to, DEFAULT_POLICY.lowBattery]],
  ] as const;
  return Promise.all(
    statements.map(async ([statement, sql, params]) => {
      const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, [...params]);
      const plan = rows[0]['QUERY PLAN'];
      return { statement, chunks: [...relations(plan, new Set())].sort(), plan };
    }),
  );
}
