import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/shared/en.json' with { type: 'json' };
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };
import { waitFor } from '../helpers/processes.js';
import { insertSeededAlert } from '../helpers/seeded-alerts.js';
import {
  englishText,
  HOME,
  PEOPLE,
  screenshot,
  signInThroughForm,
  STAFF,
  startWebFixture,
  wcagViolations,
  type WebFixture,
} from './fixture.js';

const HOUR = 3_600_000;
const NOTE = '扶起后检查无外伤';

/** The response analytics, the false-alarm ranking and the printable report in Chromium (docs/web.md). */
describe('officer analytics, incident report and regulator statistics (web app, Chromium)', () => {
  let web: WebFixture;
  let fall: string;

  beforeAll(async () => {
    web = await startWebFixture();
    const db = web.fx.db.pool;
    await web.vitals(1, [72, 75, 79, 84, 88]);
    await web.wristband('fall', 2);
    await waitFor('fall raised', async () => {
      const { rows } = await db.query(`SELECT id FROM alerts WHERE rule = 'fall'`);
      fall = rows[0]?.id;
      return rows.length === 1;
    });
    // A caregiver acknowledges, is present at the resident and resolves, through the api and the alerts service.
    const { caregiver } = web.tokens;
    for (const step of ['ack', 'presence'])
      expect((await web.fx.call(caregiver, `/api/v1/alerts/${fall}/${step}`, { method: 'POST' })).status).toBe(200);
    const resolved = await web.fx.call(caregiver, `/api/v1/alerts/${fall}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'false_alarm', note: NOTE }),
    });
    expect(resolved.status).toBe(200);
    // Earlier alerts with known response times, in several shifts, and a drill.
    const now = Date.now();
    const seeded = [
      { hoursAgo: 30, rule: 'sos', ack: 25, presence: 70, resolve: 300, outcome: 'assisted' },
      { hoursAgo: 38, rule: 'sos', ack: 95, presence: 150, resolve: 900, outcome: 'false_alarm' },
      { hoursAgo: 47, rule: 'fall', ack: 12, resolve: 200, outcome: 'device_fault' },
      { hoursAgo: 54, rule: 'fire', drill: true, ack: 18, presence: 60, resolve: 240, outcome: 'other' },
    ];
    for (const { hoursAgo, ...a } of seeded)
      await insertSeededAlert(db, HOME.id, { ...a, device: 'wb-wang', raised: new Date(now - hoursAgo * HOUR) });
  });
  afterAll(async () => {
    await web?.close();
  });
  afterEach(() => {
    expect(web.pageErrors).toEqual([]);
  });

  /** The cells of the row whose first cell is `first`, in the table of the region named `region`. */
  const rowCells = async (page: Page, region: string, first: string) => {
    const row = page.getByRole('region', { name: region, exact: true }).getByRole('row').filter({ hasText: first });
    await row.first().waitFor();
    return row.first().getByRole('cell').allInnerTexts();
  };
  const secondsText = (s: number | null) =>
    s === null ? zh.officer.notYet : zh.officer.seconds.replace('{s}', String(Math.round(s * 10) / 10));

  it('officer: the analytics page draws the numbers of the route per shift and rule, and ranks false alarms', async () => {
    const page = await web.open('/officer', STAFF.officer);
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/analytics/response'));
    const falseAnswer = page.waitForResponse((r) => r.url().includes('/api/v1/analytics/false-alarms'));
    await page.getByRole('link', { name: zh.analytics.open }).click();
    await page.getByRole('heading', { name: zh.analytics.title, level: 2 }).waitFor();
    const report = await (await answer).json();
    const falseAlarms = await (await falseAnswer).json();
    type Group = { drill: boolean; by: string; key: string; count: number; [time: string]: unknown };
    const groups = report.groups as Group[];
    expect(groups.find((g) => !g.drill && g.by === 'all')?.count).toBe(4);

    for (const shift of report.shifts as { id: 'early' | 'middle' | 'night'; starts: string; ends: string }[]) {
      const g = groups.find((x) => !x.drill && x.by === 'shift' && x.key === shift.id);
      const label = `${zh.analytics.defaultShifts[shift.id]} ${shift.starts}–${shift.ends}`;
      const cells = await rowCells(page, zh.analytics.byShift, label);
      const times = g as unknown as Record<string, { median: number | null; p90: number | null }> | undefined;
      expect(cells).toEqual([
        label,
        String(g?.count ?? 0),
        ...['toAcknowledge', 'toPresence', 'toResolve'].flatMap((k) => [
          secondsText(times?.[k]!.median ?? null),
          secondsText(times?.[k]!.p90 ?? null),
        ]),
      ]);
    }
    const sos = groups.find((g) => !g.drill && g.by === 'rule' && g.key === 'sos')!;
    expect((await rowCells(page, zh.analytics.byRule, zh.rules.sos)).slice(0, 2)).toEqual([
      zh.rules.sos,
      String(sos.count),
    ]);
    const drills = groups.find((g) => g.drill && g.by === 'all')!;
    expect((await rowCells(page, zh.analytics.drills, zh.analytics.all)).slice(0, 2)).toEqual([
      zh.analytics.all,
      String(drills.count),
    ]);
    // The bar charts: ECharts draws each bar as a path and names the series in the legend.
    const chart = page.getByRole('img', { name: zh.analytics.chartByShift });
    await chart.locator('svg').waitFor();
    await chart.getByText(zh.analytics.median.toAcknowledge).first().waitFor();
    expect(await chart.locator('path').count()).toBeGreaterThan(3);

    // The ranking: fall first (a false alarm and a device fault), as the route ranks it.
    expect(falseAlarms.byRule.map((r: { rule: string }) => r.rule)).toEqual(['fall', 'sos']);
    const ranking = page.getByRole('region', { name: zh.analytics.falseAlarmTitle });
    const first = await ranking.getByRole('row').nth(1).getByRole('cell').allInnerTexts();
    expect(first.slice(0, 3)).toEqual(['1', zh.rules.fall, String(falseAlarms.byRule[0].count)]);
    await ranking.getByRole('cell', { name: `wb-wang (${zh.analytics.kinds.wristband})` }).waitFor();

    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'officer-analytics');
    const english = await englishText(page, en.analytics.title);
    expect(english).not.toMatch(/\p{Script=Han}/u);
    expect(english).toContain(en.analytics.defaultShifts.night);
    await page.context().close();
  });

  it('officer: the printable report of an incident has every state change, the response times and the chart', async () => {
    const page = await web.open('/officer', STAFF.officer);
    await page.getByRole('heading', { name: zh.officer.title, level: 1 }).waitFor();
    await page.goto(`${page.url().split('#')[0]}#incident/${fall}`);
    await page.getByRole('link', { name: zh.report.open }).click();
    const report = page.getByRole('article', { name: zh.report.title });
    await report
      .getByRole('heading', { name: new RegExp(`^${zh.report.title}: ${zh.rules.fall} · ${PEOPLE.wang}`) })
      .waitFor();
    const { body: timeline } = await web.fx.call(web.tokens.officer, `/api/v1/alerts/${fall}/timeline`);
    const events = report.getByRole('region', { name: zh.report.timeline }).getByRole('row');
    for (const e of ['raised', 'acknowledged', 'presence', 'resolved'] as const)
      await expect(events.filter({ hasText: zh.events[e] }).count()).resolves.toBe(1);
    expect(timeline.events.map((e: { event: string }) => e.event)).toEqual([
      'raised',
      'acknowledged',
      'presence',
      'resolved',
    ]);
    const actor = timeline.events[1].actor as string;
    await events.filter({ hasText: zh.events.acknowledged }).getByText(actor).first().waitFor();
    // The response table says how long after the alarm somebody was present, as the route has it.
    const { raisedAt, presentAt } = timeline.alert as { raisedAt: string; presentAt: string };
    const steps = report.getByRole('region', { name: zh.officer.response });
    const present = steps.getByRole('row').filter({ hasText: zh.report.steps.present });
    await present.getByText(secondsText((Date.parse(presentAt) - Date.parse(raisedAt)) / 1000)).waitFor();
    await report.getByText(zh.outcome.false_alarm).waitFor();
    await report.getByText(NOTE).waitFor();
    await report.getByRole('img', { name: zh.officer.chart }).locator('svg').waitFor();
    expect(await wcagViolations(page)).toEqual([]);

    // On paper: no controls, no page header; the report itself stays.
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('button', { name: zh.report.print }).isVisible()).resolves.toBe(false);
    await expect(page.getByRole('heading', { name: zh.officer.title, level: 1 }).isVisible()).resolves.toBe(false);
    await expect(report.getByText(NOTE).isVisible()).resolves.toBe(true);
    await screenshot(page, 'officer-report');
    await page.emulateMedia({ media: 'screen' });
    // The note is data, written as the caregiver wrote it.
    expect((await englishText(page, en.report.timeline)).replaceAll(NOTE, '')).not.toMatch(/\p{Script=Han}/u);
    await page.context().close();
  });

  it('regulator: response statistics per facility this quarter, pseudonymous, with a CSV of each table', async () => {
    // Listening before signing in: the board asks as soon as the sign-in succeeds.
    const page = await web.open('/regulator', null);
    // The region has the api fixture's facilities as well: the answer for this one.
    const answer = page.waitForResponse((r) => r.url().includes(`/api/v1/analytics/response?facility=${HOME.id}`));
    await signInThroughForm(page, STAFF.regulator);
    const cells = await rowCells(page, zh.regulatorAnalytics.title, HOME.name);
    const groups = (await (await answer).json()).groups as { drill: boolean; by: string; count: number }[];
    expect(cells[1]).toBe(String(groups.find((g) => !g.drill && g.by === 'all')!.count));
    expect(cells[8]).toBe(String(groups.find((g) => g.drill && g.by === 'all')!.count));

    const html = await page.content();
    for (const secret of [...Object.values(PEOPLE), 'wb-wang', 'bm-li', 'sm-101', zh.officer.hr, zh.officer.spo2, NOTE])
      expect(html).not.toContain(secret);
    expect(await wcagViolations(page)).toEqual([]);

    for (const region of [zh.regulator.facilities, zh.regulatorAnalytics.title]) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByRole('region', { name: region, exact: true })
          .getByRole('button', { name: zh.common.exportCsv })
          .click(),
      ]);
      const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
      expect(text.split('\r\n')[0]).toContain(zh.regulator.facility);
      expect(text).toContain(HOME.name);
    }
    expect(await englishText(page, en.regulator.title)).not.toMatch(/\p{Script=Han}/u);
    await page.context().close();
  });
  it('regulator: false-alarm rates per facility this quarter beside the response board, counts only, with a CSV', async () => {
    const page = await web.open('/regulator', null);
    const answer = page.waitForResponse((r) => r.url().includes('/api/v1/analytics/false-alarms/facilities?'));
    await signInThroughForm(page, STAFF.regulator);
    const cells = await rowCells(page, zh.falseAlarmsRegion.title, HOME.name);
    const from = new URL((await answer).url()).searchParams.get('from');
    // What the page shows is what the outcomes in SQL say about this facility's real alerts of the quarter.
    const { rows } = await web.fx.db.pool.query(
      `SELECT count(*)::int AS count, count(*) FILTER (WHERE outcome IS NOT NULL AND outcome <> 'auto_cleared')::int AS judged,
              count(*) FILTER (WHERE outcome = 'false_alarm')::int AS fa, count(*) FILTER (WHERE outcome = 'device_fault')::int AS df,
              (SELECT rule FROM alerts WHERE facility_id = $1 AND NOT drill AND raised_at >= $2
                  AND outcome IN ('false_alarm', 'device_fault') GROUP BY rule ORDER BY count(*) DESC, rule LIMIT 1) AS noisiest
         FROM alerts WHERE facility_id = $1 AND NOT drill AND raised_at >= $2`,
      [HOME.id, from],
    );
    const sql = rows[0];
    expect(sql.fa + sql.df).toBeGreaterThan(0);
    const share = `${Math.round(((sql.fa + sql.df) / sql.judged) * 1000) / 10} %`;
    expect(cells).toEqual([
      HOME.name,
      String(sql.count),
      String(sql.judged),
      String(sql.fa),
      String(sql.df),
      share,
      zh.rules[sql.noisiest as keyof typeof zh.rules],
    ]);
    // The region's other facilities are listed too, with zeros when they had no alerts.
    const region = page.getByRole('region', { name: zh.falseAlarmsRegion.title, exact: true });
    expect(await region.getByRole('row').count()).toBeGreaterThan(2);

    const html = await page.content();
    for (const secret of [...Object.values(PEOPLE), 'wb-wang', 'bm-li', 'sm-101', zh.officer.hr, zh.officer.spo2, NOTE])
      expect(html).not.toContain(secret);
    expect(await wcagViolations(page)).toEqual([]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      region.getByRole('button', { name: zh.common.exportCsv }).click(),
    ]);
    const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString('utf8');
    expect(text.split('\r\n')[0]).toContain(zh.falseAlarmsRegion.noisiestRule);
    expect(text).toContain(`${HOME.name},${sql.count},${sql.judged},${sql.fa},${sql.df}`);
    expect(await englishText(page, en.falseAlarmsRegion.title)).not.toMatch(/\p{Script=Han}/u);
    await page.context().close();
  });

  it('officer: replaces the shifts on the analytics page, refused with a gap, and the tables follow', async () => {
    const page = await web.open('/officer', STAFF.officer);
    await page.getByRole('link', { name: zh.analytics.open }).click();
    const editor = page.getByRole('region', { name: zh.facilityShifts.title });
    await editor.getByText(zh.facilityShifts.defaults).waitFor();
    const field = (key: 'nameOf' | 'startsOf' | 'endsOf', n: number) =>
      editor.getByLabel(zh.facilityShifts[key].replace('{n}', String(n)), { exact: true });
    await expect(field('nameOf', 1).inputValue()).resolves.toBe(zh.analytics.defaultShifts.early);
    await editor.getByRole('button', { name: zh.facilityShifts.removeOf.replace('{n}', '3') }).click();
    await field('nameOf', 1).fill('白班');
    await field('startsOf', 1).fill('08:00');
    await field('endsOf', 1).fill('20:00');
    await field('nameOf', 2).fill('夜班');
    await field('startsOf', 2).fill('20:00');
    await field('endsOf', 2).fill('07:00');
    await editor.getByRole('button', { name: zh.facilityShifts.save }).click();
    await editor.getByRole('alert').filter({ hasText: 'without gap or overlap' }).waitFor();
    await field('endsOf', 2).fill('08:00');
    await editor.getByRole('button', { name: zh.facilityShifts.save }).click();
    await editor.getByRole('status').filter({ hasText: zh.facilityShifts.saved }).waitFor();

    const { rows } = await web.fx.db.pool.query(
      `SELECT name, to_char(starts, 'HH24:MI') AS starts, to_char(ends, 'HH24:MI') AS ends FROM facility_shifts
        WHERE facility_id = $1 ORDER BY starts`,
      [HOME.id],
    );
    expect(rows).toEqual([
      { name: '白班', starts: '08:00', ends: '20:00' },
      { name: '夜班', starts: '20:00', ends: '08:00' },
    ]);
    // The per-shift table now has the facility's own two shifts, by their names.
    const table = page.getByRole('region', { name: zh.analytics.byShift, exact: true });
    await table.getByRole('cell', { name: '白班 08:00–20:00' }).waitFor();
    await expect(table.getByRole('row').count()).resolves.toBe(3);
    expect(await wcagViolations(page)).toEqual([]);
    await page.context().close();
  });
});
