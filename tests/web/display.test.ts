import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import en from '../../web/shared/en.json' with { type: 'json' };
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };
import {
  englishText,
  HOME,
  PEOPLE,
  ROOMS,
  screenshot,
  STAFF,
  startWebFixture,
  wcagViolations,
  type WebFixture,
} from './fixture.js';

/** The wall display in Chromium against the real api, broker and alerts service, in zh-CN. */
describe('wall display (web app, Chromium)', () => {
  let web: WebFixture;
  let first: Page;
  let second: Page;

  beforeAll(async () => {
    web = await startWebFixture();
    first = await web.open('/display', 'display');
    second = await web.open('/display', 'display');
    for (const page of [first, second]) await page.getByText(zh.display.link.live, { exact: true }).waitFor();
  });
  afterAll(async () => {
    await web?.close();
  });
  afterEach(() => {
    expect(web.pageErrors).toEqual([]);
  });

  const tile = (page: Page, rule: string) => page.getByRole('article', { name: rule, exact: true });
  async function signInAsStaff(page: Page): Promise<void> {
    const dialog = page.getByRole('dialog', { name: zh.display.staffTitle });
    await dialog.getByLabel(zh.signIn.username).fill(STAFF.caregiver.username);
    await dialog.getByLabel(zh.signIn.password).fill(STAFF.caregiver.password);
    await dialog.getByRole('button', { name: zh.common.ok }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  it('shows a fall published with mosquitto_pub within 2 s, in Chinese, and warns while sound is off', async () => {
    expect(first.url()).not.toContain('token=');
    await expect(first.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(HOME.name);
    await expect(first.getByRole('alert').first().textContent()).resolves.toBe(zh.sound.off);

    await web.wristband('fall', 1);
    const fall = tile(first, zh.rules.fall);
    await fall.waitFor({ timeout: 2_000 });
    await expect(fall.getByText(`${PEOPLE.wang} · ${ROOMS['room-101']}`).isVisible()).resolves.toBe(true);
    await expect(fall.getByText(zh.priority.critical).isVisible()).resolves.toBe(true);
    await tile(second, zh.rules.fall).waitFor({ timeout: 2_000 });
  });

  it('shows the room board to the display token: every room with its residents, in one request', async () => {
    const room = first.getByRole('article', { name: ROOMS['room-102'], exact: true });
    await room.getByText(PEOPLE.li).waitFor();
    await first.getByRole('article', { name: ROOMS['room-101'], exact: true }).getByText(PEOPLE.wang).waitFor();
  });

  it('acknowledging on one display shows who is going on the other', async () => {
    await tile(first, zh.rules.fall).getByRole('button', { name: zh.display.acknowledge }).click();
    // A display token only watches: the caregiver signs in (no cookie: the display's next visitor is not them).
    await signInAsStaff(first);
    const going = zh.display.acknowledgedBy.replace('{who}', STAFF.caregiver.username);
    await tile(second, zh.rules.fall).getByText(going).waitFor();
    await expect(
      tile(second, zh.rules.fall).getByRole('button', { name: zh.display.acknowledge }).count(),
    ).resolves.toBe(0);
  });

  it('resolves with an outcome and a note; the tile leaves every display', async () => {
    const fall = tile(second, zh.rules.fall);
    await fall.getByRole('button', { name: zh.display.resolve }).click();
    const dialog = second.getByRole('dialog', { name: new RegExp(zh.display.resolveTitle.replace('{what}', '')) });
    await dialog.getByLabel(zh.outcome.assisted).check();
    await dialog.getByLabel(zh.display.note).fill('已扶回床上');
    await dialog.getByRole('button', { name: zh.display.resolve }).click();
    // Then who resolves: the display's token only watches.
    await signInAsStaff(second);
    await tile(first, zh.rules.fall).waitFor({ state: 'detached' });
    const { rows } = await web.fx.db.pool.query(`SELECT outcome, note, resolved_by FROM alerts WHERE rule = 'fall'`);
    expect(rows).toEqual([{ outcome: 'assisted', note: '已扶回床上', resolved_by: STAFF.caregiver.username }]);
    // The display keeps no cookie of theirs: it still speaks with its own token.
    expect(await second.context().cookies()).toEqual([]);
  });

  it('shows a burst of offline devices as one group tile, never hiding a critical alert of another rule', async () => {
    for (let i = 0; i < 5; i++) {
      const drill = await web.fx.call(web.tokens.officer, '/api/v1/drills', {
        method: 'POST',
        body: JSON.stringify({
          facility: HOME.id,
          rule: 'device_offline',
          location: 'room-102',
          detail: `offline ${i}`,
        }),
      });
      expect(drill.status).toBe(201);
    }
    await web.fx.call(web.tokens.officer, '/api/v1/drills', {
      method: 'POST',
      body: JSON.stringify({ facility: HOME.id, rule: 'fire', location: 'room-101' }),
    });
    const name = zh.display.group.replace('{n}', '5').replace('{rule}', zh.rules.device_offline);
    const group = first.getByRole('region', { name });
    await group.waitFor();
    await tile(first, zh.rules.fire).waitFor();
    await expect(first.getByRole('article', { name: zh.rules.device_offline }).count()).resolves.toBe(0);
    await group.getByRole('button', { name: zh.display.expand }).click();
    await expect(group.getByRole('article', { name: zh.rules.device_offline }).count()).resolves.toBe(5);
    await group.getByRole('button', { name: zh.display.collapse }).click();
  });

  it('sounds once enabled; a pause counts down and a new critical alert breaks it', async () => {
    await first.getByRole('button', { name: zh.sound.enable }).click();
    await first.getByRole('button', { name: zh.sound.pause }).click();
    // Counted down from 120 s (at most 2 minutes).
    const countdown = new RegExp(zh.sound.paused.replace('{s}', '(1[01]\\d|120)'));
    await first.getByRole('status').filter({ hasText: countdown }).waitFor();
    const drill = await web.fx.call(web.tokens.officer, '/api/v1/drills', {
      method: 'POST',
      body: JSON.stringify({ facility: HOME.id, rule: 'gas', location: 'room-102' }),
    });
    expect(drill.status).toBe(201);
    await tile(first, zh.rules.gas).waitFor();
    await first.getByRole('button', { name: zh.sound.pause }).waitFor();
    await expect(first.getByText(zh.sound.off).count()).resolves.toBe(0);
  });

  it('has no WCAG 2.1 AA violation (axe-core)', async () => {
    expect(await wcagViolations(first)).toEqual([]);
  });

  it('switches every visible string to English and back', async () => {
    expect(await englishText(first, en.rules.fire)).not.toMatch(/\p{Script=Han}/u);
    await first.getByRole('heading', { name: zh.rules.fire, exact: true }).waitFor();
  });

  it('turns DISCONNECTED within 15 s of the api stopping, and shows what it missed once back', async () => {
    await web.fx.api.close();
    const banner = first.getByRole('alert').filter({ hasText: zh.display.disconnected });
    await banner.waitFor({ timeout: 15_000 });
    const box = await banner.boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 1600, height: 900 });
    await screenshot(first, 'display-disconnected');

    await web.wristband('sos', 2); // raised while the api is away
    await web.fx.restartApi();
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
    await tile(first, zh.rules.sos).waitFor();
  });
});
