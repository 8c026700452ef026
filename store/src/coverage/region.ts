import type { Queryable } from '@vigil/core';
import { z } from 'zod';
import { HistoryQueryInvalid } from '../errors.js';
import { coverageAudit, type AuditProgress } from './audit.js';
import type { CoverageReport } from './report-schema.js';

/** One facility of the region roll-up: its score and how many gaps of each kind, nothing about anyone. */
export const regionFacilityCoverageSchema = z.object({
  facility: z.string(),
  score: z.number().describe('0–100, as in the facility audit'),
  policyVersion: z.number().int(),
  requirements: z.number().int().describe('required devices (places and residents × kinds)'),
  missing: z.number().int().describe('required devices with none present at the end of the period'),
  findings: z.record(z.string(), z.number().int()).describe('number of findings by code'),
});
export type RegionFacilityCoverage = z.infer<typeof regionFacilityCoverageSchema>;

export const regionCoverageSchema = z.object({
  region: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime().describe('capped at now'),
  score: z.number().nullable().describe('mean of the facilities’ scores; null without facilities'),
  facilities: z.array(regionFacilityCoverageSchema),
});
export type RegionCoverage = z.infer<typeof regionCoverageSchema>;

function rollUp(report: CoverageReport): RegionFacilityCoverage {
  const findings: Record<string, number> = {};
  for (const f of report.findings) findings[f.code] = (findings[f.code] ?? 0) + 1;
  return {
    facility: report.facility,
    score: report.score,
    policyVersion: report.policy.version,
    requirements: report.requirements.length,
    missing: report.requirements.filter((r) => !r.present).length,
    findings,
  };
}

/**
 * The coverage of every facility of a region over [from, to) (docs/api.md "Coverage"): each facility's pseudonymous
 * audit reduced to its score, policy version, required and missing devices and findings by code. Facilities are
 * audited one after the other (`onProgress` counts them), so a region's roll-up costs the sum of its audits.
 */
export async function regionCoverage(
  db: Queryable,
  q: { region: string; from: Date; to: Date; now?: Date },
  onProgress?: AuditProgress,
): Promise<RegionCoverage> {
  if (!(q.from < q.to)) throw HistoryQueryInvalid('from must be before to');
  const { rows } = await db.query<{ id: string }>('SELECT id FROM facilities WHERE region = $1 ORDER BY id', [q.region]);
  const to = new Date(Math.max(+q.from, Math.min(+q.to, +(q.now ?? new Date()))));
  const facilities: RegionFacilityCoverage[] = [];
  for (const [i, { id }] of rows.entries()) {
    facilities.push(rollUp(await coverageAudit(db, { facility: id, from: q.from, to, pseudonymous: true })));
    onProgress?.(i + 1, rows.length);
  }
  const score = facilities.length
    ? Math.round((10 * facilities.reduce((sum, f) => sum + f.score, 0)) / facilities.length) / 10
    : null;
  return { region: q.region, from: q.from.toISOString(), to: to.toISOString(), score, facilities };
}
