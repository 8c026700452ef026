import type { Queryable } from '@vigil/core';
import { ChainVerifier, type ChainBreak, type ChainRow } from './chain.js';

export interface VerifyReport {
  /** Events verified per facility (up to the first broken link). */
  facilities: { facility: string; events: number }[];
  /** The first broken link found, or null when every chain is intact. */
  broken: ChainBreak | null;
}

const PAGE = 5_000;

/**
 * `vigil audit verify`: walks each facility's chain of `alert_events` in id order (paged, so any size fits in
 * memory) and stops at the first broken link. Needs only read access.
 */
export async function verifyChain(db: Queryable, options: { facility?: string } = {}): Promise<VerifyReport> {
  const { rows: facilities } = await db.query<{ facility_id: string }>(
    `SELECT DISTINCT facility_id FROM alert_events WHERE $1::text IS NULL OR facility_id = $1 ORDER BY 1`,
    [options.facility ?? null],
  );
  const report: VerifyReport = { facilities: [], broken: null };
  for (const { facility_id: facility } of facilities) {
    const verifier = new ChainVerifier(facility);
    let after = 0;
    for (;;) {
      const { rows } = await db.query<ChainRow>(
        `SELECT id, facility_id AS facility, type, at, actor, data, prev_hash AS "prevHash", hash
         FROM alert_events WHERE facility_id = $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [facility, after],
      );
      for (const row of rows) {
        row.id = Number(row.id); // bigint arrives as a string
        const broken = verifier.check(row);
        if (broken) {
          report.facilities.push({ facility, events: verifier.verified });
          report.broken = broken;
          return report;
        }
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
    report.facilities.push({ facility, events: verifier.verified });
  }
  return report;
}
