import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/shared/en.json' with { type: 'json' };
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };
import { waitFor } from '../helpers/processes.js';
import {
  englishText,
  HOME,
  PEOPLE,
  ROOMS,
  screenshot,
  signInThroughForm,
  STAFF,
  submitSignIn,
  startWebFixture,
  wcagViolations,
  type WebFixture,
} from './fixture.js';

const HEART_RATES = [72, 74, 73, 76, 78, 77, 80, 83, 86, 88];

/** The safety officer's and the regulator's pages in Chromium, on a fall with real readings around it. */
describe('officer and regulator pages (web app, Chromium)', () => {
  let web: WebFixture;

  beforeAll(async () => {
    web = await startWebFixture();
    await web.vitals(1, HEART_RATES);
    await waitFor('readings stored', async () => {
      const { rows } = await web.fx.db.pool.query(`SELECT count(*)::int AS n FROM vitals WHERE device_id = 'wb-wang'`);
      return rows[0].n === HEART_RATES.length;
    });
    await web.wristband('fall', 2);
    await waitFor(
      'fall raised',
      async () => (await web.fx.db.pool.query(`SELECT 1 FROM alerts WHERE rule = 'fall'`)).rowCount === 1,
    );
  });
  afterAll(async () => {
    await web?.close();
  });
  afterEach(() => {
    expect(web.pageErrors).toEqual([]);
  });

  it('officer: finds the fall among the incidents and opens it with the readings around it as a chart', async () => {
    const page = await web.open('/officer', STAFF.officer);
    await page.getByRole('heading', { name: zh.officer.title, level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ hasText: zh.rules.fall });
    await row.getByText(PEOPLE.wang).waitFor();
    await expect(row.getByText(zh.priority.critical).isVisible()).resolves.toBe(true);
    expect(await wcagViolations(page)).toEqual([]);
    expect(await englishText(page, en.officer.title)).not.toMatch(/\p{Script=Han}/u);

    await row.getByRole('link', { name: zh.officer.open }).click();
    await page.getByRole('heading', { name: `${zh.rules.fall} · ${PEOPLE.wang} · ${ROOMS['room-101']}` }).waitFor();
    const chart = page.getByRole('img', { name: zh.officer.chart });
    await chart.locator('svg').waitFor();
    // ECharts draws the series as a path and names it in the legend.
    await chart.getByText(zh.officer.hr).first().waitFor();
    expect(await chart.locator('path').count()).toBeGreaterThan(1);
    await expect(page.getByRole('cell', { name: zh.events.raised }).count()).resolves.toBe(1);
    await screenshot(page, 'officer-incident');
    expect(await wcagViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('wall display signed in as a caregiver: the room board with each bed and its latest vital signs', async () => {
    const page = await web.open('/display', STAFF.caregiver);
    // The stream takes the session cookie from the upgrade request (the hello carries no token).
    await page.getByText(zh.display.link.live, { exact: true }).waitFor();
    const room = page.getByRole('article', { name: ROOMS['room-101'], exact: true });
    await room.getByText(PEOPLE.wang).waitFor();
    await room.getByText(zh.display.hr.replace('{v}', String(HEART_RATES.at(-1)))).waitFor();
    await room.getByText(zh.display.spo2.replace('{v}', '97')).waitFor();
    await page.getByRole('article', { name: ROOMS['room-102'], exact: true }).getByText(PEOPLE.li).waitFor();
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'display-rooms');
    await page.context().close();
  });

  it('signs in with a password into an HttpOnly cookie, never a stored token; refuses a wrong one; signs out', async () => {
    const page = await web.open('/regulator', null);
    await page.getByRole('heading', { name: zh.common.signIn }).waitFor();
    await submitSignIn(page, { ...STAFF.regulator, password: 'not the password' });
    await page.getByRole('alert').filter({ hasText: zh.signIn.refused }).waitFor();
    await signInThroughForm(page, STAFF.regulator);
    await page.getByRole('heading', { name: zh.regulator.title, level: 1 }).waitFor();
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'vigil_session', httpOnly: true, sameSite: 'Strict' });
    // Nothing of the credential is visible to the page's scripts.
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage }) + document.cookie');
    expect(stored).not.toContain(cookie!.value);
    expect(stored).not.toContain('vigil_session');
    await page.reload();
    await page.getByRole('heading', { name: zh.regulator.title, level: 1 }).waitFor();
    // Sign-out revokes the session: the old cookie no longer works anywhere.
    await page.getByRole('button', { name: zh.common.signOut }).click();
    await page.getByRole('heading', { name: zh.common.signIn }).waitFor();
    expect(await page.context().cookies()).toEqual([]);
    const reused = await fetch(`${web.fx.api.url}/api/v1/me`, {
      headers: { cookie: `vigil_session=${cookie!.value}` },
    });
    expect(reused.status).toBe(401);
    await page.context().close();
  });

  it('wall display: a display token entered in the form instead of a person’s sign-in', async () => {
    const page = await web.open('/display', null);
    await page.getByText(zh.signIn.useDisplayToken).click();
    await page.getByLabel(zh.common.credential).fill(web.tokens.display);
    await page.getByRole('button', { name: zh.signIn.useToken }).click();
    await page.getByText(zh.display.link.live, { exact: true }).waitFor();
    await page.getByRole('article', { name: ROOMS['room-102'], exact: true }).getByText(PEOPLE.li).waitFor();
    expect(await page.context().cookies()).toEqual([]);
    // The officer's page in the same browser is a person's: it asks them to sign in, the display token unused.
    await page.goto(`${web.fx.api.url}/officer`);
    await page.getByRole('heading', { name: zh.common.signIn }).waitFor();
    await page.context().close();
  });

  it('regulator: the board of the region, pseudonymous, with a CSV export', async () => {
    const page = await web.open('/regulator', STAFF.regulator);
    const board = page.getByRole('region', { name: zh.regulator.facilities, exact: true });
    const row = board.getByRole('row').filter({ hasText: HOME.name });
    await row.waitFor();
    const headers = await board.getByRole('columnheader').allInnerTexts();
    const cells = await row.getByRole('cell').allInnerTexts();
    const critical = headers.indexOf(`${zh.regulator.openByPriority}: ${zh.priority.critical}`);
    expect(cells[critical]).toBe('1');

    const html = await page.content();
    for (const secret of [
      ...Object.values(PEOPLE),
      'wb-wang',
      'bm-li',
      'sm-101',
      'bt-101',
      zh.officer.hr,
      zh.officer.spo2,
    ]) {
      expect(html).not.toContain(secret);
    }
    expect(await wcagViolations(page)).toEqual([]);
    await screenshot(page, 'regulator-board');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      board.getByRole('button', { name: zh.common.exportCsv }).click(),
    ]);
    const csv = await (await download.createReadStream()).toArray();
    const text = Buffer.concat(csv).toString('utf8');
    expect(text.split('\r\n')[0]).toContain(zh.regulator.facility);
    expect(text).toContain(HOME.name);
    expect(await englishText(page, en.regulator.title)).not.toMatch(/\p{Script=Han}/u);
    await page.context().close();
  });
});
