import { verifySecret } from '@vigil/core';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import en from '../../web/shared/en.json' with { type: 'json' };
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };
import { englishText, ROOMS, STAFF, startWebFixture, wcagViolations, type WebFixture } from './fixture.js';

const NEW_RESIDENT = { id: 'zhao', name: '赵桂兰' } as const;

/** The officer's management pages in Chromium: what the officer does there is in the database. */
describe('officer management pages (web app, Chromium)', () => {
  let web: WebFixture;
  let page: Page;
  const db = () => web.fx.db.pool;

  beforeAll(async () => {
    web = await startWebFixture();
    page = await web.open('/officer', STAFF.officer);
    await page.getByRole('heading', { name: zh.officer.title, level: 1 }).waitFor();
  });
  afterAll(async () => {
    await web?.close();
  });
  afterEach(() => {
    expect(web.pageErrors).toEqual([]);
  });

  const section = async (link: string) => {
    await page.getByRole('navigation', { name: zh.manage.sections }).getByRole('link', { name: link }).click();
    await page.getByRole('heading', { name: link, level: 2 }).waitFor();
  };
  const status = (text: string) => page.getByRole('status').filter({ hasText: text }).first().waitFor();

  it('admits a resident: the row appears on the page and in SQL', async () => {
    await section(zh.manage.residents);
    expect(await wcagViolations(page)).toEqual([]);
    expect(await englishText(page, en.manage.residents)).not.toMatch(/\p{Script=Han}/u);
    const form = page.getByRole('form', { name: zh.manage.admit });
    await form.getByLabel(zh.manage.id).fill(NEW_RESIDENT.id);
    await form.getByLabel(zh.manage.name).fill(NEW_RESIDENT.name);
    await form.getByLabel(zh.manage.careLevel).selectOption({ label: zh.manage.careLevels['fully-dependent'] });
    await form.getByLabel(zh.manage.fallRisk).selectOption({ label: zh.manage.fallRisks.high });
    await form.getByLabel(zh.manage.room).selectOption({ label: ROOMS['room-102'] });
    await form.getByRole('button', { name: zh.manage.admit }).click();
    await status(zh.manage.admitted.replace('{id}', NEW_RESIDENT.id));
    await page.getByRole('row').filter({ hasText: NEW_RESIDENT.name }).waitFor();
    const { rows } = await db().query(
      `SELECT name, care_level, fall_risk, location_id, active FROM residents WHERE facility_id = 'songhe' AND id = 'zhao'`,
    );
    expect(rows).toEqual([
      {
        name: NEW_RESIDENT.name,
        care_level: 'fully-dependent',
        fall_risk: 'high',
        location_id: 'room-102',
        active: true,
      },
    ]);
  });

  it('shows the thresholds in force as fields, saves the own ones (the api refuses a bad one) and records consent', async () => {
    await db().query(`UPDATE facilities SET settings = '{"vitals": {"hrAbove": 140}}' WHERE id = 'songhe'`);
    const edit = page.getByRole('button', { name: zh.manage.editOf.replace('{id}', NEW_RESIDENT.id) });
    await edit.click();
    const thresholds = page.getByRole('form', { name: zh.manage.thresholds });
    const group = (section: keyof typeof zh.thresholdsView.sections) =>
      thresholds.getByRole('group', { name: zh.thresholdsView.sections[section] });
    const vitals = group('vitals');
    const hrAbove = vitals.getByLabel(zh.thresholdsView.settings.vitals.hrAbove, { exact: true });
    await expect.poll(() => hrAbove.getAttribute('placeholder')).toBe('140');
    const described = async (field: typeof hrAbove) =>
      page.locator(`[id="${await field.getAttribute('aria-describedby')}"]`).innerText();
    expect(await described(hrAbove)).toBe('设施：140（默认 130）');
    const hrBelow = vitals.getByLabel(zh.thresholdsView.settings.vitals.hrBelow, { exact: true });
    expect(await described(hrBelow)).toBe('默认：40');
    expect(await hrAbove.inputValue()).toBe('');

    const nightStart = group('night').getByLabel(zh.thresholdsView.settings.night.start, { exact: true });
    await nightStart.fill('25:00');
    await thresholds.getByRole('button', { name: zh.manage.saveThresholds }).click();
    await page.getByRole('alert').filter({ hasText: 'body/thresholds/night/start' }).waitFor();
    await nightStart.fill('21:30');
    await hrAbove.fill('400');
    await thresholds.getByRole('button', { name: zh.manage.saveThresholds }).click();
    await page.getByRole('alert').filter({ hasText: 'body/thresholds/vitals/hrAbove' }).waitFor();
    await hrAbove.fill('125');
    await thresholds.getByText(zh.thresholdsView.sections.bedExitNight, { exact: true }).click();
    await group('bedExitNight')
      .getByLabel(zh.thresholdsView.enabled, { exact: true })
      .selectOption({ label: zh.thresholdsView.off });
    await thresholds.getByRole('button', { name: zh.manage.saveThresholds }).click();
    await status(zh.manage.saved);
    const consent = page.getByRole('form', { name: zh.manage.consent });
    await consent.getByLabel(zh.manage.consentVitals).check();
    await consent.getByRole('button', { name: zh.manage.saveConsent }).click();
    await status(zh.manage.saved);
    const { rows } = await db().query(
      `SELECT r.thresholds, c.vitals, c.location, c.recorded_by FROM residents r
       JOIN resident_consents c ON c.facility_id = r.facility_id AND c.resident_id = r.id
       WHERE r.facility_id = 'songhe' AND r.id = 'zhao'`,
    );
    expect(rows).toEqual([
      {
        thresholds: { night: { start: '21:30' }, vitals: { hrAbove: 125 }, bedExitNight: { enabled: false } },
        vitals: true,
        location: false,
        recorded_by: STAFF.officer.username,
      },
    ]);
    expect(await wcagViolations(page)).toEqual([]);

    // Opened again, the editor shows what is stored, the section with an own value open.
    await page.getByRole('button', { name: zh.common.back }).click();
    await edit.click();
    await expect.poll(() => hrAbove.inputValue()).toBe('125');
    expect(await nightStart.inputValue()).toBe('21:30');
    expect(await group('bedExitNight').getByLabel(zh.thresholdsView.enabled, { exact: true }).inputValue()).toBe(
      'false',
    );
    expect(await englishText(page, en.manage.thresholds, [NEW_RESIDENT.name])).not.toMatch(/\p{Script=Han}/u);
    await db().query(`UPDATE facilities SET settings = '{}' WHERE id = 'songhe'`);
  });

  it('registers a device for the resident: its secret is shown once and is the one stored', async () => {
    await section(zh.manage.devices);
    const form = page.getByRole('form', { name: zh.manage.register });
    await form.getByLabel(zh.manage.id).fill('wb-zhao');
    await form.getByLabel(zh.manage.kind).selectOption({ label: zh.manage.kinds.wristband });
    await form.getByLabel(zh.manage.resident).selectOption({ label: NEW_RESIDENT.name });
    await form.getByRole('button', { name: zh.manage.register }).click();
    const shown = page.getByRole('region', { name: zh.manage.secretOf.replace('{id}', 'wb-zhao') });
    const secret = (await shown.locator('output').innerText()).trim();
    await page.getByRole('row').filter({ hasText: 'wb-zhao' }).waitFor();
    const { rows } = await db().query(
      `SELECT facility_id, kind, resident_id, secret_hash FROM devices WHERE id = 'wb-zhao'`,
    );
    expect(rows).toMatchObject([{ facility_id: 'songhe', kind: 'wristband', resident_id: 'zhao' }]);
    expect(await verifySecret(rows[0].secret_hash, secret)).toBe(true);
    expect(await wcagViolations(page)).toEqual([]);

    // A new secret replaces the old one; then the device is retired.
    await page.getByRole('button', { name: `${zh.manage.rotate} wb-zhao` }).click();
    await status(zh.manage.rotated.replace('{id}', 'wb-zhao'));
    const rotated = (await shown.locator('output').innerText()).trim();
    expect(rotated).not.toBe(secret);
    const after = (await db().query(`SELECT secret_hash FROM devices WHERE id = 'wb-zhao'`)).rows[0].secret_hash;
    expect(await verifySecret(after, rotated)).toBe(true);
    await page.getByRole('button', { name: `${zh.manage.retire} wb-zhao` }).click();
    await page.getByRole('row').filter({ hasText: 'wb-zhao' }).waitFor({ state: 'detached' });
    const retired = await db().query(`SELECT retired_at IS NOT NULL AS retired FROM devices WHERE id = 'wb-zhao'`);
    expect(retired.rows).toEqual([{ retired: true }]);
  });

  it('adds a staff member, disables and enables them, changes their role', async () => {
    await section(zh.manage.staff);
    expect(await englishText(page, en.manage.staff)).not.toMatch(/\p{Script=Han}/u);
    const form = page.getByRole('form', { name: zh.manage.addUser });
    await form.getByLabel(zh.manage.username).fill('sunli');
    await form.getByLabel(zh.manage.name).fill('孙丽');
    await form.getByLabel(zh.manage.initialPassword).fill('sunli-初始密码-1');
    await form.getByRole('button', { name: zh.manage.addUser }).click();
    await page.getByRole('row').filter({ hasText: '孙丽' }).waitFor();
    const user = async () =>
      (await db().query(`SELECT role, facility_id, disabled_at IS NOT NULL AS disabled FROM users WHERE id = 'sunli'`))
        .rows;
    expect(await user()).toEqual([{ role: 'caregiver', facility_id: 'songhe', disabled: false }]);
    await page.getByRole('button', { name: `${zh.manage.disable} sunli` }).click();
    await page.getByRole('button', { name: `${zh.manage.enable} sunli` }).waitFor();
    expect(await user()).toEqual([{ role: 'caregiver', facility_id: 'songhe', disabled: true }]);
    await page.getByRole('button', { name: `${zh.manage.enable} sunli` }).click();
    await page.getByRole('button', { name: `${zh.manage.disable} sunli` }).waitFor();
    await page.getByLabel(zh.manage.roleOf.replace('{id}', 'sunli')).selectOption('safety-officer');
    await status(zh.manage.roleChanged.replace('{id}', 'sunli'));
    expect(await user()).toEqual([{ role: 'safety-officer', facility_id: 'songhe', disabled: false }]);
    expect(await wcagViolations(page)).toEqual([]);
  });
});
