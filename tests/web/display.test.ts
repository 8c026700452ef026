import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/processes.js';
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
    first = await web.open('/display', web.tokens.display);
    second = await web.open('/display', web.tokens.display2);
    for (const page of [first, second]) await page.getByText(zh.display.link.live, { exact: true }).waitFor();
  });
  afterAll(async () => {
    await web?.close();
  });
  afterEach(() => {
    expect(web.pageErrors).toEqual([]);
  });

  /** Who the records name: the caregiver signs in at the display (StaffDialog) with their username. */
  const CAREGIVER = STAFF.caregiver.username;
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
    const going = zh.display.acknowledgedBy.replace('{who}', CAREGIVER);
    await tile(second, zh.rules.fall).getByText(going).waitFor();
    await expect(
      tile(second, zh.rules.fall).getByRole('button', { name: zh.display.acknowledge }).count(),
    ).resolves.toBe(0);
  });

  it("the room's call button (mosquitto_pub) turns 'going' into 'at resident' on both displays", async () => {
    const going = zh.display.acknowledgedBy.replace('{who}', CAREGIVER);
    await web.button('presence', 1);
    for (const page of [first, second]) {
      const fall = tile(page, zh.rules.fall);
      await fall.getByText(zh.atResident.presentByButton).waitFor();
      await expect(fall.getByText(going).count()).resolves.toBe(0);
      await expect(fall.getByRole('button', { name: zh.atResident.mark }).count()).resolves.toBe(0);
    }
    // Ingest stored the button's event like any other.
    const stored = await waitFor('the presence stored by ingest', async () => {
      const { rows } = await web.fx.db.pool.query(`SELECT type FROM device_events WHERE device_id = 'bt-101'`);
      return rows.length ? rows : null;
    });
    expect(stored).toEqual([{ type: 'presence' }]);
  });

  it('resolves with an outcome and a note once present; the tile leaves every display; all times in SQL', async () => {
    const fall = tile(second, zh.rules.fall);
    await fall.getByRole('button', { name: zh.display.resolve }).click();
    const dialog = second.getByRole('dialog', { name: new RegExp(zh.display.resolveTitle.replace('{what}', '')) });
    await dialog.getByLabel(zh.outcome.assisted).check();
    await dialog.getByLabel(zh.display.note).fill('已扶回床上');
    await dialog.getByRole('button', { name: zh.display.resolve }).click();
    // Then who resolves: the display's token only watches.
    await signInAsStaff(second);
    await tile(first, zh.rules.fall).waitFor({ state: 'detached' });
    const { rows } = await web.fx.db.pool.query(
      `SELECT outcome, note, acknowledged_by, present_by, resolved_by,
         raised_at < acknowledged_at AND acknowledged_at < present_at AND present_at < resolved_at AS in_order
       FROM alerts WHERE rule = 'fall'`,
    );
    expect(rows).toEqual([
      {
        outcome: 'assisted',
        note: '已扶回床上',
        acknowledged_by: CAREGIVER,
        present_by: 'device:bt-101',
        resolved_by: CAREGIVER,
        in_order: true,
      },
    ]);
    // The display keeps no cookie of the caregiver's: it still speaks with its own token.
    expect(await second.context().cookies()).toEqual([]);
  });

  it("marks presence on the page, and the alert detail lists every display's receipts", async () => {
    const drill = await web.fx.call(web.tokens.officer, '/api/v1/drills', {
      method: 'POST',
      body: JSON.stringify({ facility: HOME.id, rule: 'fall', resident: 'li' }),
    });
    expect(drill.status).toBe(201);
    const fall = tile(first, zh.rules.fall);
    await tile(second, zh.rules.fall).waitFor();
    // Not present yet: only "at resident", no resolve.
    await expect(fall.getByRole('button', { name: zh.display.resolve }).count()).resolves.toBe(0);
    await fall.getByRole('button', { name: zh.atResident.mark }).click(); // the caregiver's credential is remembered
    const present = zh.atResident.present.replace('{who}', CAREGIVER);
    await tile(second, zh.rules.fall).getByText(present).waitFor();
    await expect(
      tile(second, zh.rules.fall).getByRole('button', { name: zh.display.acknowledge }).count(),
    ).resolves.toBe(0);

    await fall.getByRole('button', { name: zh.atResident.details }).click();
    const detail = first.getByRole('dialog', { name: new RegExp(zh.atResident.detailTitle.replace('{what}', '')) });
    const receipts = detail.getByRole('table', { name: zh.atResident.receipts });
    await receipts.waitFor();
    // Delivered and shown: both times, no dash (the open detail fills in as the displays' receipts arrive).
    for (const label of ['护理站大屏', '走廊屏']) {
      await receipts
        .getByRole('row', { name: new RegExp(label) })
        .filter({ hasNotText: '—' })
        .waitFor();
    }
    await expect(detail.getByText(zh.atResident.presentAt, { exact: true }).isVisible()).resolves.toBe(true);
    expect(await wcagViolations(first)).toEqual([]);
    await detail.getByRole('button', { name: zh.atResident.close }).click();
    // The same in English (the dialog is modal, so the language is switched before opening it).
    await first.getByLabel(zh.common.language).selectOption('en');
    await tile(first, en.rules.fall).getByRole('button', { name: en.atResident.details }).click();
    const english = first.getByRole('dialog', { name: new RegExp(en.atResident.detailTitle.replace('{what}', '')) });
    await english.getByRole('table', { name: en.atResident.receipts }).waitFor();
    let text = await english.innerText();
    for (const data of [PEOPLE.li, '护理站大屏', '走廊屏', CAREGIVER]) text = text.replaceAll(data, '');
    expect(text).not.toMatch(/\p{Script=Han}/u);
    await english.getByRole('button', { name: en.atResident.close }).click();
    await first.getByLabel(en.common.language).selectOption('zh-CN');

    const { rows } = await web.fx.db.pool.query(
      `SELECT label, bool_and(delivered_at IS NOT NULL AND shown_at IS NOT NULL) AS confirmed
       FROM alert_receipts WHERE alert_id = $1 GROUP BY label ORDER BY label`,
      [drill.body.alert.id],
    );
    expect(rows).toEqual([
      { label: '护理站大屏', confirmed: true },
      { label: '走廊屏', confirmed: true },
    ]);
    const times = await web.fx.db.pool.query(
      `SELECT present_by, acknowledged_at = present_at AS implied FROM alerts WHERE id = $1`,
      [drill.body.alert.id],
    );
    expect(times.rows).toEqual([{ present_by: CAREGIVER, implied: true }]);
    // Shown within 10 s: never escalated as unseen.
    const unseen = await web.fx.db.pool.query(
      `SELECT 1 FROM alert_events WHERE alert_id = $1 AND actor = 'vigil:not-shown'`,
      [drill.body.alert.id],
    );
    expect(unseen.rows).toEqual([]);

    await fall.getByRole('button', { name: zh.display.resolve }).click();
    const resolve = first.getByRole('dialog', { name: new RegExp(zh.display.resolveTitle.replace('{what}', '')) });
    await resolve.getByLabel(zh.outcome.false_alarm).check();
    await resolve.getByRole('button', { name: zh.display.resolve }).click();
    await tile(second, zh.rules.fall).waitFor({ state: 'detached' });
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

  it('pauses sound only for a signed-in caregiver, counted down, and a new critical alert breaks it', async () => {
    // A display token alone may not pause: the api refuses it, and the page asks for the caregiver.
    const refused = await web.fx.call(web.tokens.display, '/api/v1/display/sound-pause', {
      method: 'POST',
      body: JSON.stringify({}),
    });
    expect(refused.status).toBe(403);
    const third = await web.open('/display', web.tokens.display);
    await third.getByText(zh.display.link.live, { exact: true }).waitFor();
    await third.getByRole('button', { name: zh.sound.enable }).click();
    await third.getByRole('button', { name: zh.sound.pause }).click();
    const staff = third.getByRole('dialog', { name: zh.display.staffTitle });
    await staff.getByRole('button', { name: zh.common.cancel }).click();
    await expect(
      third
        .getByRole('status')
        .filter({ hasText: zh.sound.paused.replace(/\{s\}.*/, '') })
        .count(),
    ).resolves.toBe(0);

    await third.getByRole('button', { name: zh.sound.pause }).click();
    await signInAsStaff(third);
    // Counted down from 120 s (at most 2 minutes), saying who paused.
    const countdown = new RegExp(zh.sound.paused.replace('{s}', '(1[01]\\d|120)'));
    const status = third.getByRole('status').filter({ hasText: countdown });
    await status.waitFor();
    await expect(status.textContent()).resolves.toContain(zh.atResident.pausedBy.replace('{who}', CAREGIVER));
    const audit = await web.fx.db.pool.query(
      `SELECT actor, details->>'display' AS display FROM audit_log WHERE action = 'display.sound.pause'`,
    );
    expect(audit.rows).toEqual([{ actor: CAREGIVER, display: '护理站大屏' }]);

    const drill = await web.fx.call(web.tokens.officer, '/api/v1/drills', {
      method: 'POST',
      body: JSON.stringify({ facility: HOME.id, rule: 'gas', location: 'room-102' }),
    });
    expect(drill.status).toBe(201);
    await tile(third, zh.rules.gas).waitFor();
    await third.getByRole('button', { name: zh.sound.pause }).waitFor();
    await expect(third.getByText(zh.sound.off).count()).resolves.toBe(0);
    await third.context().close();
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
