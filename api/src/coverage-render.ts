import { deviceName, message, type CoverageReport, type RegionCoverage } from '@vigil/store';
import { toCsv, type CsvCell } from './csv.js';

/** The coverage report as CSV and as a printable HTML page (docs/api.md "Coverage"); texts in its locale. */

const share = (value: number) => Number(value.toFixed(4));

/** One row per fact, `section,subject,kind,value,text`: score, trend, requirement, device, alert, plan, finding. */
export function coverageCsv(r: CoverageReport): string {
  const rows: CsvCell[][] = [
    ['section', 'subject', 'kind', 'value', 'text'],
    ['score', r.facility, `policy-v${r.policy.version}`, r.score, `${r.from}/${r.to}`],
    ...r.trend.map((t) => ['trend', t.day, null, t.score, null]),
    ...r.requirements.map((q) => ['requirement', q.subject, q.device, share(q.coveredShare), q.devices.join(' ')]),
    ...r.devices.map((d) => ['device', d.device, d.kind, share(d.onlineShare), d.retiredAt]),
    ...r.alerts.map((a) => ['alert', a.rule, a.drill ? 'drill' : 'alert', a.count, a.medianSecondsToAcknowledge]),
    ...r.plans.map((p) => ['plan', p.plan, p.kind, p.filingStatus, p.reviewDue]),
    ...r.findings.map((f) => ['finding', f.subject, f.code, null, f.text]),
  ];
  return toCsv(rows);
}

/** The region roll-up, one row per facility: `facility,score,policy_version,requirements,missing,findings`. */
export function regionCoverageCsv(r: RegionCoverage): string {
  const rows: Array<Array<string | number | null>> = [
    ['facility', 'score', 'policy_version', 'requirements', 'missing', 'findings'],
    ...r.facilities.map((f) => [
      f.facility,
      f.score,
      f.policyVersion,
      f.requirements,
      f.missing,
      Object.entries(f.findings)
        .map(([code, n]) => `${code}=${n}`)
        .join(' '),
    ]),
  ];
  return toCsv(rows);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value: string | number | null) =>
  value === null ? '–' : String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function table(head: string[], rows: Array<Array<string | number | null>>): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A self-contained page (no scripts, no external resources) meant to be printed or saved as PDF. */
export function coverageHtml(r: CoverageReport): string {
  const t = (key: Parameters<typeof message>[1], args?: Record<string, string | number>) =>
    message(r.locale, key, args);
  const findings = r.findings.length
    ? `<ol>\n${r.findings.map((f) => `<li>${esc(f.text)}</li>`).join('\n')}\n</ol>`
    : `<p>${esc(t('report.none'))}</p>`;
  return `<!doctype html>
<html lang="${r.locale}">
<head><meta charset="utf-8"><title>${esc(t('report.title', { facility: r.facility }))}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.2em .5em}
.score{font-size:2em}@media print{body{margin:0}h2{break-after:avoid}}</style></head>
<body>
<h1>${esc(t('report.title', { facility: r.facility }))}</h1>
<p>${esc(t('report.period', { from: r.from, to: r.to, timezone: r.timezone }))}</p>
<p>${esc(t('report.policy', { version: r.policy.version }))}</p>
<p>${esc(t('report.score'))}: <span class="score">${esc(r.score)}</span></p>
<h2>${esc(t('report.findings'))}</h2>
${findings}
<h2>${esc(t('report.requirements'))}</h2>
${table(
  [t('column.subject'), t('column.device'), t('column.present'), t('column.covered')],
  r.requirements.map((q) => [q.subject, deviceName(r.locale, q.device), q.present ? '✓' : '✗', share(q.coveredShare)]),
)}
<h2>${esc(t('report.trend'))}</h2>
${table(
  [t('column.day'), t('column.score')],
  r.trend.map((d) => [d.day, d.score]),
)}
<h2>${esc(t('report.alerts'))}</h2>
${table(
  [
    t('column.rule'),
    t('column.drill'),
    t('column.count'),
    t('column.acknowledged'),
    t('column.medianAck'),
    t('column.medianResolve'),
  ],
  r.alerts.map((a) => [
    a.rule,
    a.drill ? '✓' : '',
    a.count,
    a.acknowledged,
    a.medianSecondsToAcknowledge,
    a.medianSecondsToResolve,
  ]),
)}
<h2>${esc(t('report.plans'))}</h2>
${table(
  [t('column.plan'), t('column.filing'), t('column.reviewDue'), t('column.lastDrill')],
  r.plans.map((p) => [p.plan, t(`filing.${p.filingStatus}`), p.reviewDue, p.lastDrill]),
)}
</body>
</html>
`;
}
