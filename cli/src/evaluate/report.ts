import { ALERT_RULES, type AlertRule } from '@vigil/protocol';
import type { ScenarioScore } from './score.js';

/** What the evaluation may accept: false alerts per resident-night on normal nights and days, and on nuisances. */
export interface Budget {
  falsePerResidentNight: number;
  nuisanceFalseAlerts: number;
}

export const DEFAULT_BUDGET: Budget = { falsePerResidentNight: 0.2, nuisanceFalseAlerts: 0 };

export interface RuleQuality {
  rule: AlertRule | 'overall';
  /** Dangerous events the library expects this rule to alert on, and how many it did in time. */
  events: number;
  detected: number;
  /** detected / events; null without events. */
  sensitivity: number | null;
  timeToAlertS: { median: number | null; p90: number | null };
  /** False alerts on normal nights and days, and that per resident-night. */
  falseOnNormal: number;
  falsePerResidentNight: number;
  falseOnNuisance: number;
  /** Alerts a dangerous scenario raised beside the ones it expected. */
  extraOnDanger: number;
}

export interface QualityReport {
  seed: string;
  scenarios: { danger: number; nuisance: number; normal: number };
  residentNights: number;
  budget: Budget;
  rules: RuleQuality[];
  overall: RuleQuality;
  missed: Array<{ scenario: string; rule: AlertRule; subject: string; priority: string }>;
  /** `forbidden`: one the scenario names as what it must not raise. */
  falseAlerts: Array<{
    scenario: string;
    class: string;
    rule: AlertRule;
    subject: string;
    raisedAfterS: number;
    forbidden: boolean;
  }>;
  /** Why the evaluation fails (empty: it passes). */
  failures: string[];
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function quality(rule: RuleQuality['rule'], scores: readonly ScenarioScore[], residentNights: number): RuleQuality {
  const mine = (r: AlertRule) => rule === 'overall' || r === rule;
  const detections = scores.flatMap((s) => s.detections.filter((d) => mine(d.expected.rule)));
  const times = detections
    .flatMap((d) => (d.timeToAlertMs === null ? [] : [d.timeToAlertMs / 1000]))
    .sort((a, b) => a - b);
  const falseIn = (cls: string) =>
    scores
      .filter((s) => s.scenario.class === cls)
      .reduce((n, s) => n + s.falseAlerts.filter((a) => mine(a.rule)).length, 0);
  const falseOnNormal = falseIn('normal');
  return {
    rule,
    events: detections.length,
    detected: times.length,
    sensitivity: detections.length ? times.length / detections.length : null,
    timeToAlertS: { median: quantile(times, 0.5), p90: quantile(times, 0.9) },
    falseOnNormal,
    falsePerResidentNight: residentNights ? falseOnNormal / residentNights : 0,
    falseOnNuisance: falseIn('nuisance'),
    extraOnDanger: falseIn('danger'),
  };
}

/** Sensitivity, false alerts and time to alert per rule and overall, and whether they meet the budget. */
export function summarise(scores: readonly ScenarioScore[], seed: string, budget: Budget): QualityReport {
  const count = (cls: string) => scores.filter((s) => s.scenario.class === cls).length;
  const residentNights = scores.reduce(
    (n, s) => n + (s.scenario.class === 'normal' ? s.scenario.residentNights : 0),
    0,
  );
  const rules = ALERT_RULES.filter((r) => r !== 'drill').map((r) => quality(r, scores, residentNights));
  const overall = quality('overall', scores, residentNights);
  const missed = scores.flatMap((s) =>
    s.detections
      .filter((d) => d.timeToAlertMs === null)
      .map(({ expected: e }) => ({
        scenario: s.scenario.name,
        rule: e.rule,
        subject: e.subject,
        priority: e.priority,
      })),
  );
  const falseAlerts = scores.flatMap((s) =>
    s.falseAlerts.map((a) => ({
      scenario: s.scenario.name,
      class: s.scenario.class,
      rule: a.rule,
      subject: a.subject,
      raisedAfterS: Math.round((a.raisedAt - s.scenario.start) / 1000),
      forbidden: s.forbidden.includes(a),
    })),
  );
  const failures: string[] = [];
  if (missed.length)
    failures.push(`sensitivity ${percent(overall.sensitivity)}: ${missed.length} dangerous event(s) missed`);
  if (overall.falsePerResidentNight > budget.falsePerResidentNight) {
    failures.push(
      `${overall.falsePerResidentNight.toFixed(2)} false alerts per resident-night on normal nights and days ` +
        `(budget ${budget.falsePerResidentNight})`,
    );
  }
  if (overall.falseOnNuisance > budget.nuisanceFalseAlerts) {
    failures.push(
      `${overall.falseOnNuisance} false alerts on nuisance scenarios (budget ${budget.nuisanceFalseAlerts})`,
    );
  }
  return {
    seed,
    scenarios: { danger: count('danger'), nuisance: count('nuisance'), normal: count('normal') },
    residentNights,
    budget,
    rules,
    overall,
    missed,
    falseAlerts,
    failures,
  };
}

const percent = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10} %`);
const seconds = (v: number | null) => (v === null ? '–' : `${Math.round(v)} s`);

/** The report as the table `vigil evaluate` prints (and docs/rules.md "Evaluation" shows). */
export function renderReport(report: QualityReport): string {
  const header = [
    'rule',
    'events',
    'sensitivity',
    'TTA median',
    'TTA p90',
    'false/normal',
    'per res-night',
    'false/nuisance',
    'extra/danger',
  ];
  const rows = [...report.rules, report.overall].map((q) => [
    q.rule,
    String(q.events),
    percent(q.sensitivity),
    seconds(q.timeToAlertS.median),
    seconds(q.timeToAlertS.p90),
    String(q.falseOnNormal),
    q.falsePerResidentNight.toFixed(2),
    String(q.falseOnNuisance),
    String(q.extraOnDanger),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const { danger, nuisance, normal } = report.scenarios;
  return [
    `${danger + nuisance + normal} scenarios (${danger} dangerous, ${nuisance} nuisance, ${normal} normal: ` +
      `${report.residentNights} resident-nights), seed ${report.seed}`,
    '',
    line(header),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
    '',
    ...report.missed.map((m) => `missed: ${m.scenario}: ${m.rule} ${m.priority} ${m.subject}`),
    ...report.falseAlerts.map(
      (f) =>
        `false (${f.class}${f.forbidden ? ', must not' : ''}): ${f.scenario}: ${f.rule} ${f.subject} at +${f.raisedAfterS} s`,
    ),
    report.failures.length
      ? `FAIL: ${report.failures.join('; ')}`
      : 'PASS: sensitivity 100 %, false alerts within budget',
  ].join('\n');
}
