import type { Queryable } from '@vigil/core';
import { idSchema } from '@vigil/protocol';
import { z } from 'zod';
import { HistoryQueryInvalid, RegistryNotFound } from '../errors.js';
import { dataGaps, type DeviceCoverage } from '../history/data-gaps.js';
import { FROM_BEFORE_TO, fromBeforeTo } from '../history/vitals-history.js';
import { localDays } from './days.js';
import { hasFunctionalTest, readAlertKinds, readAuditRegistry, readBatteries, readLastTests } from './facts.js';
import { auditFindings } from './findings.js';
import { localeSchema } from './messages.js';
import { getCoveragePolicy } from './policy.js';
import { withoutJit } from './without-jit.js';
import { readPlanAudit } from './plan-audit.js';
import type { CoverageReport, DeviceAudit, RequirementAudit } from './report-schema.js';
import { coveredShare, coveringIntervals, requiredSlots, union } from './requirements.js';

const DAY_MS = 86_400_000;
/** Longer periods would make one request read more than a year of every device's data. */
const MAX_DAYS = 366;
/** Devices per data-gaps query: the unit of the progress callback. */
const BATCH = 25;

export const coverageQuerySchema = z
  .object({
    facility: idSchema,
    from: z.coerce.date(),
    to: z.coerce.date(),
    /** The end is capped at now: the future is not a gap. */
    now: z.coerce.date().optional(),
    locale: localeSchema.default('zh-CN'),
    /** Residents by pseudonym (for regulators); the report never holds names or vital signs either way. */
    pseudonymous: z.boolean().default(false),
    /** Apply this version of the facility's policy (0: the default) instead of its current one. */
    policyVersion: z.number().int().min(0).optional(),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO)
  .refine((q) => +q.to - +q.from <= MAX_DAYS * DAY_MS, `the period may be at most ${MAX_DAYS} days`);
export type CoverageQuery = z.input<typeof coverageQuerySchema>;

export type AuditProgress = (done: number, total: number) => void;

const score = (shares: number[]) =>
  shares.length === 0 ? 100 : Math.round((1000 * shares.reduce((a, b) => a + b, 0)) / shares.length) / 10;

/**
 * The coverage audit of a facility over [from, to): required against present devices, each device's online share
 * and silent gaps from its data, low batteries, functional tests, alerts by kind with response times, plans and
 * drills, a score per day and overall, and the findings as text in the requested locale.
 */
export async function coverageAudit(db: Queryable, query: CoverageQuery, onProgress?: AuditProgress): Promise<CoverageReport> {
  const parsed = coverageQuerySchema.safeParse(query);
  if (!parsed.success) throw HistoryQueryInvalid(parsed.error.issues.map((i) => i.message).join('; '));
  return withoutJit(db, (client) => audit(client, parsed.data, onProgress));
}

async function audit(db: Queryable, q: z.output<typeof coverageQuerySchema>, onProgress?: AuditProgress) {
  const from = q.from;
  const to = new Date(Math.max(+from, Math.min(+q.to, +(q.now ?? new Date()))));
  const registry = await readAuditRegistry(db, q.facility, to);
  if (!registry) throw RegistryNotFound(`facility ${q.facility} not found`);
  const policy = await getCoveragePolicy(db, q.facility, q.policyVersion);
  const testSince = new Date(Math.min(+from, +to - policy.policy.testEveryDays * DAY_MS));
  const batches = Math.ceil(registry.devices.length / BATCH);
  const total = batches + 1;
  // One connection (withoutJit): one statement after the other.
  const batteries = await readBatteries(db, q.facility, from, to, policy.policy.lowBattery);
  const tests = await readLastTests(db, q.facility, testSince, to);
  const alerts = await readAlertKinds(db, q.facility, from, to);
  const plans = await readPlanAudit(db, q.facility, to, registry.facility.timezone);
  onProgress?.(1, total);
  const coverage = new Map<string, DeviceCoverage>();
  for (let i = 0; i < batches; i++) {
    const ids = registry.devices.slice(i * BATCH, (i + 1) * BATCH).map((d) => d.id);
    for (const c of await dataGaps(db, { facility: q.facility, from, to, now: to, devices: ids })) coverage.set(c.device, c);
    onProgress?.(i + 2, total);
  }

  const pseudonyms = new Map(registry.residents.map((r) => [r.id, r.pseudonym]));
  const residentRef = (id: string | null) => (id === null || !q.pseudonymous ? id : (pseudonyms.get(id) ?? null));
  const byId = new Map(registry.devices.map((d) => [d.id, d]));
  const days = localDays(from, to, registry.facility.timezone);

  const slots = requiredSlots(policy.policy, registry).map((slot) => {
    const merged = union(slot.devices.flatMap((id) => (coverage.has(id) ? coveringIntervals(coverage.get(id)!) : [])));
    return { slot, merged, present: slot.devices.some((id) => !byId.get(id)!.retiredAt || byId.get(id)!.retiredAt! >= to) };
  });
  const requirements: RequirementAudit[] = slots.map(({ slot, merged, present }) => ({
    subjectType: slot.subjectType,
    subject: slot.subjectType === 'resident' ? residentRef(slot.subject)! : slot.subject,
    device: slot.device,
    devices: slot.devices,
    present,
    coveredShare: coveredShare(merged, +from, +to),
  }));
  const devices: DeviceAudit[] = registry.devices.map((d) => {
    const c = coverage.get(d.id);
    return {
      device: d.id,
      kind: d.kind,
      place: d.place,
      resident: residentRef(d.resident),
      retiredAt: d.retiredAt?.toISOString() ?? null,
      onlineShare: c?.onlineShare ?? 0,
      silentGaps: (c?.gaps ?? []).map((g) => ({ from: g.from.toISOString(), to: g.to.toISOString(), seconds: g.seconds })),
      lowestBattery: batteries.get(d.id)?.lowest ?? null,
      lastTest: hasFunctionalTest(d.kind) ? (tests.get(d.id)?.toISOString() ?? null) : null,
    };
  });
  const report: Omit<CoverageReport, 'findings'> = {
    facility: q.facility,
    region: registry.facility.region,
    timezone: registry.facility.timezone,
    from: from.toISOString(),
    to: to.toISOString(),
    locale: q.locale,
    policy: { version: policy.version, createdAt: policy.createdAt },
    score: score(requirements.map((r) => r.coveredShare)),
    trend: days.map((day) => ({ day: day.day, score: score(slots.map((s) => coveredShare(s.merged, day.from, day.to))) })),
    requirements,
    devices,
    alerts,
    plans,
  };
  const findings = auditFindings(report, { registry, policy: policy.policy, batteries, testSince });
  return q.pseudonymous ? maskDevices({ ...report, findings }) : { ...report, findings };
}

/**
 * Regulators see no device ids (docs/api.md "Authentication, roles and scope"): each device becomes its kind and a
 * number in the order of the facility's devices (`smoke-1`), in every section and in the findings' texts.
 */
function maskDevices(report: CoverageReport): CoverageReport {
  const counts = new Map<string, number>();
  const alias = new Map<string, string>();
  for (const d of [...report.devices].sort((a, b) => (a.device < b.device ? -1 : 1))) {
    const n = (counts.get(d.kind) ?? 0) + 1;
    counts.set(d.kind, n);
    alias.set(d.device, `${d.kind}-${n}`);
  }
  const ids = [...alias.keys()].sort((a, b) => b.length - a.length);
  const pattern = ids.length ? new RegExp(ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
  const text = (s: string) => (pattern ? s.replace(pattern, (id) => alias.get(id)!) : s);
  const masked = (id: string) => alias.get(id) ?? 'device';
  return {
    ...report,
    requirements: report.requirements.map((r) => ({ ...r, devices: r.devices.map(masked) })),
    devices: report.devices.map((d) => ({ ...d, device: masked(d.device) })),
    findings: report.findings.map((f) => ({ ...f, subject: text(f.subject), text: text(f.text) })),
  };
}

/** The facility's coverage score over a period (for the regional summary): the audit's score, nothing else. */
export async function coverageScore(db: Queryable, facility: string, from: Date, to: Date): Promise<number> {
  return (await coverageAudit(db, { facility, from, to, pseudonymous: true })).score;
}
