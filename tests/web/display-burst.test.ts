import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AlertEvent } from '@vigil/protocol';
import { makeAlert } from '../api/fixture.js';
import { waitFor } from '../helpers/processes.js';
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };
import { HOME, startWebFixture, type WebFixture } from './fixture.js';

/** More than one receipt message may carry (MAX_RECEIPTS_PER_MESSAGE), so the snapshot's receipts take two. */
const BURST = 520;
/** The newest of the burst are critical: published last, drawn first. */
const CRITICAL = 52;

/**
 * Run in the page before its scripts (a string: this project compiles without the DOM's types). Records, whenever
 * the page's DOM changes, which alert tiles (named by their device, `设备 <id>`) are on it, against the alerts the
 * stream has delivered so far; a step that draws a lower alert while a critical one that had arrived is still not
 * on the page is a violation. `__mostWaiting`: the most alerts delivered but not yet drawn at one step.
 */
const RECORDER = `
  window.__arrived = new Map();
  window.__violations = [];
  window.__mostWaiting = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (m) => {
        const message = JSON.parse(String(m.data));
        if (message.type === 'alert' && message.alert.device)
          window.__arrived.set(message.alert.device, message.alert.priority);
      });
    }
  };
  let drawn = new Set();
  new MutationObserver(() => {
    const now = new Set([...document.querySelectorAll('section.alerts article .who')].map((p) => p.textContent.trim()));
    const added = [...now].filter((who) => !drawn.has(who));
    drawn = now;
    const waiting = [...window.__arrived].filter(([device]) => !now.has(\`设备 \${device}\`));
    window.__mostWaiting = Math.max(window.__mostWaiting, waiting.length);
    const lowerDrawn = added.some((who) => window.__arrived.get(who.replace('设备 ', '')) !== 'critical');
    const criticalWaiting = waiting.filter(([, priority]) => priority === 'critical').map(([device]) => device);
    if (lowerDrawn && criticalWaiting.length) window.__violations.push(criticalWaiting);
  }).observe(document, { childList: true, subtree: true, characterData: true });`;

/** A burst of alerts on an open wall display: every one drawn, the critical ones first, and every one confirmed. */
describe('wall display under a burst of alerts (Chromium)', () => {
  let web: WebFixture;
  let wall: Page;

  beforeAll(async () => {
    web = await startWebFixture();
    wall = await web.browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    await wall.addInitScript({ content: RECORDER });
    await wall.goto(`${web.fx.api.url}/display?token=${web.tokens.display}`);
    await wall.getByText(zh.display.link.live, { exact: true }).waitFor();
  });
  afterAll(async () => {
    await wall?.context().close();
    await web?.close();
  });

  const device = (i: number) => `burst-${String(i).padStart(3, '0')}`;
  const openCount = (n: number) => zh.display.openCount.replace('{n}', String(n));
  const confirmed = async (label: string) => {
    const { rows } = await web.fx.db.pool.query(
      `SELECT count(DISTINCT alert_id)::int AS n FROM alert_receipts
       WHERE label = $1 AND delivered_at IS NOT NULL AND shown_at IS NOT NULL`,
      [label],
    );
    return rows[0].n as number;
  };

  it(`draws all ${BURST} alerts of a burst, the critical ones before any lower one, and confirms each shown`, async () => {
    // Stored as the alerts service stores them, then published back to back: they reach the page faster than it
    // draws them, so the display has a queue to order.
    const events: AlertEvent[] = [];
    const start = Date.now() - BURST * 61_000;
    for (let i = 0; i < BURST; i++) {
      const critical = i >= BURST - CRITICAL;
      // 61 s apart: no two of a rule form a group tile, so each is a tile of its own.
      const at = new Date(start + i * 61_000).toISOString();
      const alert = makeAlert({
        facility: HOME.id,
        rule: critical ? 'fire' : 'device_offline',
        priority: critical ? 'critical' : 'high',
        subject: `device:${device(i)}`,
        resident: null,
        device: device(i),
        location: null,
        detail: 'burst',
        raisedAt: at,
        occurredAt: at,
        lastSeenAt: at,
      });
      events.push(await web.fx.emit('raised', alert, { publish: false }));
    }
    await Promise.all(events.map((event) => web.fx.publishRaw(JSON.stringify(event))));

    await wall
      .getByRole('status')
      .filter({ hasText: openCount(BURST) })
      .waitFor();
    await expect(wall.getByRole('article', { name: zh.rules.fire, exact: true }).count()).resolves.toBe(CRITICAL);
    await expect(wall.getByRole('article', { name: zh.rules.device_offline, exact: true }).count()).resolves.toBe(
      BURST - CRITICAL,
    );
    for (const i of [0, BURST - CRITICAL - 1, BURST - 1]) {
      await expect(
        wall.getByText(zh.display.device.replace('{id}', device(i)), { exact: true }).isVisible(),
      ).resolves.toBe(true);
    }
    // Critical ones lead the wall.
    const first = wall
      .getByRole('region', { name: openCount(BURST) })
      .getByRole('article')
      .first();
    await expect(first.getAttribute('aria-label')).resolves.toBe(zh.rules.fire);
    const { violations, mostWaiting } = await wall.evaluate<{ violations: string[][]; mostWaiting: number }>(
      '({ violations: window.__violations, mostWaiting: window.__mostWaiting })',
    );
    expect(violations).toEqual([]);
    // The burst outran the drawing (otherwise nothing here was ordered).
    expect(mostWaiting).toBeGreaterThan(10);
    // Every event delivered and shown (receipts flush every 200 ms).
    await waitFor('every alert of the burst confirmed shown', async () => (await confirmed('护理站大屏')) === BURST);
  });

  it(`a display opened on ${BURST} open alerts draws and confirms them all (more than one receipt message)`, async () => {
    const hall = await web.open('/display', web.tokens.display2);
    await hall
      .getByRole('status')
      .filter({ hasText: openCount(BURST) })
      .waitFor();
    await expect(
      hall
        .getByRole('region', { name: openCount(BURST) })
        .getByRole('article')
        .count(),
    ).resolves.toBe(BURST);
    await waitFor('the snapshot confirmed shown', async () => (await confirmed('走廊屏')) === BURST);
    const { rows } = await web.fx.db.pool.query(
      `SELECT DISTINCT event_id::int FROM alert_receipts WHERE label = '走廊屏'`,
    );
    expect(rows).toEqual([{ event_id: 0 }]);
    await hall.context().close();
  });
});
