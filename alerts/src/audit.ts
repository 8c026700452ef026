import type { Queryable } from '@vigil/core';
import { readChainFacilities, readChainPage } from '@vigil/store';
import { ChainVerifier, type ChainBreak } from './chain.js';

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
  const report: VerifyReport = { facilities: [], broken: null };
  for (const facility of await readChainFacilities(db, options.facility)) {
    const verifier = new ChainVerifier(facility);
    let after = 0;
    for (;;) {
      const rows = await readChainPage(db, facility, after, PAGE);
      for (const row of rows) {
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
