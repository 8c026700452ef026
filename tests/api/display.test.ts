import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { start as startAlerts, type AlertsHandle } from '@vigil/alerts';
import { upsertServiceAccount } from '@vigil/store';
import { deviceTopic } from '@vigil/protocol';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './fixture.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The wall display in a real browser against the real api, broker and alerts service. */
describe('wall display (Chromium)', () => {
  let fx: ApiFixture;
  let alerts: AlertsHandle;
  let browser: Browser;
  let page: Page;

  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-alerts-'));
    fx = await startApiFixture({ heartbeatMs: 500 });
    const account = await upsertServiceAccount(fx.db.pool, 'svc-alerts', 'alerts');
    alerts = await startAlerts({
      databaseUrl: fx.db.url,
      dataDir,
      mqtt: { url: fx.gatewayUrl, username: account.id, password: account.secret },
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });
  afterAll(async () => {
    await browser?.close();
    await alerts?.close();
    await fx?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function fall(seq: number): Promise<void> {
    const device = await mqtt.connectAsync(fx.gatewayUrl, {
      clientId: 'wb-f1',
      username: 'wb-f1',
      password: fx.secrets['wb-f1'],
      protocolVersion: 4,
    });
    const event = { seq, ts: new Date().toISOString(), type: 'fall', confidence: 0.91 };
    await device.publishAsync(deviceTopic('f1', 'wb-f1', 'event'), JSON.stringify(event), { qos: 1 });
    await device.endAsync();
  }

  it('shows open alerts as tiles, live, with names, and lets staff acknowledge and resolve', async () => {
    await page.goto(`${fx.api.displayUrl}?token=${fx.tokens.display}&stale=2000`);
    await page.locator('#link[data-state="live"]').waitFor();
    expect(page.url()).not.toContain('token=');
    await expect(page.locator('#facility').textContent()).resolves.toBe('Haus Linde');

    await fall(1);
    const tile = page.locator('.tile', { has: page.locator('.rule', { hasText: /^Fall$/ }) });
    await tile.waitFor();
    await expect(tile.locator('.rule').textContent()).resolves.toBe('Fall');
    await expect(tile.locator('.who').textContent()).resolves.toBe('Anna f1 · Room 1');
    expect(await tile.getAttribute('class')).toContain('flash');
    expect(await page.locator('body').getAttribute('class')).toContain('alarm');

    const drill = await fx.call(fx.tokens.officer, '/api/v1/drills', {
      method: 'POST',
      body: JSON.stringify({ rule: 'gas', location: 'room-1', detail: 'gas drill' }),
    });
    expect(drill.status).toBe(201);
    await page.locator('.tile .badge.drill').waitFor();
    // Sorted by priority, then the longest-waiting first: the fall stays on top of the newer drill.
    const order = await page.locator('.tile .rule').allTextContents();
    expect(order).toEqual(['Fall', 'Gas']);
    if (process.env.VIGIL_DISPLAY_SCREENSHOT) await page.screenshot({ path: process.env.VIGIL_DISPLAY_SCREENSHOT });

    // A display token may only watch: acknowledging asks for the caregiver's own token.
    await tile.locator('button.ack').click();
    const staff = page.locator('#staff-dialog');
    await staff.locator('input').fill(fx.tokens.caregiver);
    await staff.locator('button[value="ok"]').click();
    await tile.locator('.badge.ack').waitFor();
    await expect(tile.locator('.badge.ack').textContent()).resolves.toBe('ACK carol');
    expect(await tile.getAttribute('class')).not.toContain('flash');

    await tile.locator('button.resolve').click();
    const dialog = page.locator('#resolve-dialog');
    await dialog.locator('input[value="assisted"]').check();
    await dialog.locator('textarea').fill('back in bed');
    await dialog.locator('button[value="resolve"]').click();
    await tile.waitFor({ state: 'detached' });
    const { rows } = await fx.db.pool.query(
      `SELECT status, outcome, note, acknowledged_by, resolved_by FROM alerts WHERE rule = 'fall'`,
    );
    expect(rows).toEqual([
      { status: 'resolved', outcome: 'assisted', note: 'back in bed', acknowledged_by: 'carol', resolved_by: 'carol' },
    ]);
  });

  it('asks for a token when opened without one, and keeps it for the next visit', async () => {
    const context = await browser.newContext();
    try {
      const fresh = await context.newPage();
      await fresh.goto(fx.api.displayUrl);
      await fresh.locator('#login').waitFor();
      await fresh.locator('#login-token').fill('vgl_wrong');
      await fresh.locator('#login button').click();
      await fresh.locator('#login-error', { hasText: 'not accepted' }).waitFor();
      await fresh.locator('#login-token').fill(fx.tokens.caregiver);
      await fresh.locator('#login button').click();
      await fresh.locator('#link[data-state="live"]').waitFor();
      await fresh.reload();
      await fresh.locator('#link[data-state="live"]').waitFor();
      expect(await fresh.locator('#login').isHidden()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('turns full-screen DISCONNECTED when the server goes silent, and catches up when it returns', async () => {
    await expect(page.locator('#disconnected').isHidden()).resolves.toBe(true);
    await fx.api.close();
    await page.locator('#disconnected').waitFor({ state: 'visible', timeout: 10_000 });
    await expect(page.locator('#disconnected strong').textContent()).resolves.toBe('DISCONNECTED');
    const box = await page.locator('#disconnected').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 1280, height: 800 });
    const shot = process.env.VIGIL_DISPLAY_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot.replace(/\.png$/, '-disconnected.png') });

    // Raised while the api is away: the display resumes with `since` and shows it.
    await fall(2);
    await fx.restartApi();
    await page.locator('#disconnected').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.locator('.tile', { has: page.locator('.rule', { hasText: /^Fall$/ }) }).waitFor();
    expect(await page.locator('.tile .rule').allTextContents()).toEqual(['Gas', 'Fall']); // the drill waited longer
  });
});
