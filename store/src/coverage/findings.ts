import { localDate, localTime } from './days.js';
import type { CoverageReport, Finding } from './report-schema.js';
import { hasFunctionalTest, type AuditRegistry, type BatteryFacts } from './facts.js';
import { deviceName, message, type Locale, type MessageKey } from './messages.js';
import type { CoveragePolicy } from './policy.js';

const DAY_MS = 86_400_000;

interface Context {
  registry: AuditRegistry;
  policy: CoveragePolicy;
  batteries: Map<string, BatteryFacts>;
  testSince: Date;
}

/** "02:10–05:40 on 2026-11-19", or both dates when the span crosses midnight, in the facility's zone. */
function span(locale: Locale, from: string, to: string, zone: string): string {
  const [fromDate, toDate] = [localDate(Date.parse(from), zone), localDate(Date.parse(to), zone)];
  const times = { from: localTime(Date.parse(from), zone), to: localTime(Date.parse(to), zone) };
  return fromDate === toDate
    ? message(locale, 'span.same-day', { date: fromDate, ...times })
    : message(locale, 'span.days', { fromDate, toDate, ...times });
}

/** The findings of an audit, in the order of the report: requirements, devices, plans. */
export function auditFindings(report: Omit<CoverageReport, 'findings'>, ctx: Context): Finding[] {
  const { locale, timezone: zone } = report;
  const findings: Finding[] = [];
  const add = (code: string, subject: string, key: MessageKey, args: Record<string, string | number>) =>
    findings.push({ code, subject, text: message(locale, key, args) });
  const placeLabel = new Map(ctx.registry.places.map((p) => [p.id, p.name ?? p.id]));
  const devices = new Map(report.devices.map((d) => [d.device, d]));
  const to = Date.parse(report.to);

  for (const r of report.requirements.filter((req) => !req.present)) {
    const device = deviceName(locale, r.device);
    const where =
      r.subjectType === 'place' ? placeLabel.get(r.subject)! : message(locale, 'subject.resident', { resident: r.subject });
    const retired = r.devices.map((id) => devices.get(id)!).filter((d) => d.retiredAt);
    const last = retired.sort((a, b) => a.retiredAt!.localeCompare(b.retiredAt!)).at(-1);
    if (last) {
      add('retired-not-replaced', last.device, 'finding.retired-not-replaced', {
        where,
        device,
        id: last.device,
        date: localDate(Date.parse(last.retiredAt!), zone),
      });
    } else if (r.subjectType === 'place') add('place-missing', r.subject, 'finding.place-missing', { place: where, device });
    else add('resident-missing', r.subject, 'finding.place-missing', { place: where, device });
  }

  for (const d of report.devices) {
    const label = { device: deviceName(locale, d.kind), id: d.device };
    for (const gap of d.silentGaps) add('silent', d.device, 'finding.silent', { ...label, span: span(locale, gap.from, gap.to, zone) });
    const battery = ctx.batteries.get(d.device);
    if (battery?.lowFrom) {
      const time = `${localDate(battery.lowFrom, zone)} ${localTime(battery.lowFrom, zone)}`;
      add('low-battery', d.device, 'finding.low-battery', { ...label, percent: Math.round(battery.lowest * 100), time });
    }
    const tested = d.lastTest !== null ? Date.parse(d.lastTest) : null;
    if (!hasFunctionalTest(d.kind) || d.retiredAt) continue;
    if (tested === null) {
      add('test-none', d.device, 'finding.test-none', { ...label, days: Math.round((to - +ctx.testSince) / DAY_MS) });
    } else if (tested < to - ctx.policy.testEveryDays * DAY_MS) {
      add('test-overdue', d.device, 'finding.test-overdue', { ...label, date: localDate(tested, zone) });
    }
  }

  for (const p of report.plans) {
    if (p.version === null) add('plan-no-document', p.plan, 'finding.plan-no-document', { plan: p.plan });
    if (p.filingStatus === 'draft' || p.filingStatus === 'needs-revision') {
      const status = message(locale, `filing.${p.filingStatus}`);
      add('plan-not-accepted', p.plan, 'finding.plan-not-accepted', { plan: p.plan, status });
    }
    if (p.reviewOverdue) add('plan-review-overdue', p.plan, 'finding.plan-review-overdue', { plan: p.plan, date: p.reviewDue });
    for (const at of p.missedDrills) {
      add('drill-missed', p.plan, 'finding.drill-missed', { plan: p.plan, date: localDate(Date.parse(at), zone) });
    }
    if (p.drillOverdue) add('drill-overdue', p.plan, 'finding.drill-overdue', { plan: p.plan, days: p.drillEveryDays });
  }
  return findings;
}
