import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import webpush from 'web-push';
import { deviceTopic } from '@vigil/protocol';
import type { AlertsHandle } from '@vigil/alerts';
import en from '../../web/shared/en.json' with { type: 'json' };
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };
import { startTestAlerts } from '../alerts/harness.js';
import { startHttpReceiver } from '../dispatch/receivers.js';
import { DISTRICT, STATION, startStation, type Station } from '../dispatch/station.js';
import { makeTestCertificates, type TestCertificates } from '../gateway/certificates.js';
import { mosquittoPub, waitFor } from '../helpers/processes.js';
import { setUserPassword } from '@vigil/store';
import { CHROMIUM_ARGS, englishText, screenshot, signInThroughForm, wcagViolations, type Person } from './fixture.js';

const ADDRESS = '北京市朝阳区安贞里三区 5 号楼 2 单元 301';
const ACCESS = '钥匙盒在门左侧，密码 2468';
const STATION_DATA = ['王秀英', '张伟', '李娜', ADDRESS, ACCESS, DISTRICT, '朝阳区居家养老服务站'];
/** The station's caregiver and its lead, who sign in on their phones with a password. */
const PEOPLE = {
  zhang: { username: 'zhang', password: 'zhang-手机-密码1', name: '张伟' },
  li: { username: 'li', password: 'li-手机-密码22', name: '李娜' },
} as const satisfies Record<string, Person>;

/**
 * The staff page `/staff` on a phone-sized Chromium: the dwelling's SOS published over TLS with mosquitto_pub
 * → the alerts service → dispatch's work order → 张伟 accepts it on the page, goes, arrives and finishes, each
 * time recorded in SQL; the lead 李娜 sees the station's open orders with their on-site clocks.
 */
describe('staff page (web app, Chromium, 390×844)', () => {
  const vapid = webpush.generateVAPIDKeys();
  let certs: TestCertificates;
  let station: Station;
  let alerts: AlertsHandle;
  let pushService: Awaited<ReturnType<typeof startHttpReceiver>>;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    certs = await makeTestCertificates();
    pushService = await startHttpReceiver();
    station = await startStation({
      // Home kits reach the station over the internet: a TLS listener beside the services' plain one.
      gateway: { tls: { port: 0, certFile: certs.serverCert, keyFile: certs.serverKey } },
      api: { vapidPublicKey: vapid.publicKey },
      dispatch: { notify: { vapid: { ...vapid, subject: 'mailto:ops@example.com' } } },
    });
    alerts = await startTestAlerts(station.db.pool, station.db.url, station.gateway.url);
    for (const person of Object.values(PEOPLE)) {
      await setUserPassword(station.db.pool, person.username, person.password, new Date());
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await alerts?.close();
    await station?.close();
    await pushService?.close();
    await certs?.remove();
  });
  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  /** The staff page as a phone opens it, the person signed in through its form (a session cookie). */
  async function phone(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    await context.grantPermissions(['notifications']);
    // Headless Chromium has no push service to subscribe at: the subscription it would return is played with a
    // real P-256 key and auth secret, its endpoint the local receiver (the service worker itself is real).
    const keys = {
      p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    };
    const endpoint = `${pushService.url}/push/zhang`;
    await context.addInitScript(
      ({ endpoint, keys }) => {
        const browserGlobals = globalThis as unknown as {
          PushManager: { prototype: { subscribe(): Promise<unknown>; getSubscription(): Promise<unknown> } };
        };
        const subscription = { endpoint, toJSON: () => ({ endpoint, keys }) };
        let subscribed = false;
        browserGlobals.PushManager.prototype.subscribe = async () => ((subscribed = true), subscription);
        browserGlobals.PushManager.prototype.getSubscription = async () => (subscribed ? subscription : null);
      },
      { endpoint, keys },
    );
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && pageErrors.push(m.text()));
    await page.goto(`${station.api.url}/staff`);
    await signInThroughForm(page, person);
    await page.getByRole('heading', { name: zh.staff.title, level: 1 }).waitFor();
    return page;
  }

  /** Nothing wider than the phone: no sideways scrolling. */
  const fitsThePhone = (page: Page) =>
    page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
          .scrollWidth <= 390,
    );
  const workerScope = (page: Page) =>
    page.evaluate(
      async () =>
        (
          await (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<{ scope: string }> } } })
            .navigator.serviceWorker.ready
        ).scope,
    );

  it('SOS over TLS → work order → accepted, en route, on site, done on the phone, every time in SQL', async () => {
    const zhang = await phone(PEOPLE.zhang);
    const mine = zhang.getByRole('region', { name: zh.staff.mine });
    await mine.getByText(zh.staff.none).waitFor();

    // Web Push for this phone: the service worker registers, the subscription becomes 张伟's endpoint.
    await zhang.getByRole('button', { name: zh.staff.push.enable }).click();
    await zhang.getByText(zh.staff.push.on).waitFor();
    expect(await workerScope(zhang)).toBe(`${station.api.url}/staff`);
    const { rows: endpoints } = await station.db.pool.query(
      `SELECT target FROM notification_endpoints WHERE user_id = 'zhang' AND channel = 'push' AND disabled_at IS NULL`,
    );
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0].target.subscription.endpoint).toBe(`${pushService.url}/push/zhang`);

    const button = station.kit.find((d) => d.kind === 'button')!;
    await mosquittoPub({
      port: station.gateway.tlsPort!,
      id: button.id,
      secret: button.secret,
      topic: deviceTopic(STATION, button.id, 'event'),
      message: JSON.stringify({ seq: 1, ts: new Date().toISOString(), type: 'sos' }),
      extra: ['--cafile', certs.ca],
    });

    const card = mine.getByRole('article', { name: `${zh.rules.sos} · 王秀英` });
    await card.getByText(zh.staff.status.offered).waitFor();
    await card.getByText(`${ADDRESS} (${DISTRICT})`).waitFor();
    await card.getByText(ACCESS).waitFor();
    await card.getByText(zh.staff.left.replace(' {t}', '')).waitFor();
    expect(await wcagViolations(zhang)).toEqual([]);
    expect(await fitsThePhone(zhang)).toBe(true);
    expect(await englishText(zhang, en.staff.title, STATION_DATA)).not.toMatch(/\p{Script=Han}/u);
    await screenshot(zhang, 'staff-order');

    // The push that told the phone: to the subscription's endpoint, signed with the key the page was served.
    const pushed = await waitFor('the push to 张伟’s phone', () =>
      pushService.received.find((r) => r.path === '/push/zhang'),
    );
    expect(pushed.headers['content-encoding']).toBe('aes128gcm');
    expect(String(pushed.headers.authorization)).toMatch(new RegExp(`^vapid t=[^,]+, k=${vapid.publicKey}$`));

    await card.getByRole('button', { name: zh.staff.step.accept }).click();
    await card.getByText(zh.staff.status.accepted).waitFor();

    // The lead's station view: the open order, who has it and its clock.
    const li = await phone(PEOPLE.li);
    const row = li.getByRole('region', { name: zh.staff.station }).getByRole('row').filter({ hasText: ADDRESS });
    await row.getByText(`${zh.staff.status.accepted} · 张伟`).waitFor();
    await row.getByText(zh.staff.left.replace(' {t}', '')).waitFor();
    expect(await wcagViolations(li)).toEqual([]);
    expect(await fitsThePhone(li)).toBe(true);
    await li.context().close();

    await card.getByRole('button', { name: zh.staff.step['en-route'] }).click();
    await card.getByText(zh.staff.status.en_route).waitFor();
    await card.getByRole('button', { name: zh.staff.step['on-site'] }).click();
    await card.getByText(zh.staff.inTime).waitFor();
    await card.getByLabel(zh.staff.note).fill('老人按错按钮，已安抚');
    expect(await wcagViolations(zhang)).toEqual([]);
    // Finishing needs the visit's outcome: without one the page says so and nothing is sent.
    await card.getByRole('button', { name: zh.staff.step.done }).click();
    await card.getByRole('alert').filter({ hasText: zh.visit.outcomeRequired }).waitFor();
    const outcomes = card.getByRole('group', { name: zh.visit.outcome });
    await outcomes.getByLabel(zh.visit.outcomes.false_alarm).check();
    expect(await fitsThePhone(zhang)).toBe(true);
    await card.getByRole('button', { name: zh.staff.step.done }).click();
    await mine.getByText(zh.staff.none).waitFor();
    await zhang.context().close();

    // The lead's summary of today's visits: who finished it, with the outcome, counted per outcome.
    const lead = await phone(PEOPLE.li);
    const visits = lead.getByRole('region', { name: zh.visit.finished });
    const finished = visits.getByRole('listitem').filter({ hasText: `${zh.rules.sos} · 王秀英` });
    await finished.getByText(zh.visit.outcomeIs.replace('{outcome}', zh.visit.outcomes.false_alarm)).waitFor();
    await finished.getByText(zh.visit.byIs.replace('{name}', '张伟')).waitFor();
    await finished.getByText(zh.staff.inTime).waitFor();
    const counts = visits.getByRole('table', { name: zh.visit.perOutcome });
    const count = (label: string) => counts.getByRole('row', { name: label }).getByRole('cell').innerText();
    expect(await count(zh.visit.outcomes.false_alarm)).toBe('1');
    expect(await count(zh.visit.outcomes.resident_ok)).toBe('0');
    expect(await count(zh.visit.total)).toBe('1');
    expect(await wcagViolations(lead)).toEqual([]);
    expect(await fitsThePhone(lead)).toBe(true);
    expect(await englishText(lead, en.staff.title, STATION_DATA)).not.toMatch(/\p{Script=Han}/u);
    await lead.context().close();

    const { rows } = await station.db.pool.query(
      `SELECT id, status, assignee, done_by, note, outcome, created_at, accepted_at, en_route_at, on_site_at, done_at,
              on_site_due_at FROM work_orders`,
    );
    expect(rows).toHaveLength(1);
    const order = rows[0];
    expect(order).toMatchObject({
      status: 'done',
      assignee: 'zhang',
      done_by: 'zhang',
      note: '老人按错按钮，已安抚',
      outcome: 'false_alarm',
    });
    const times = [order.created_at, order.accepted_at, order.en_route_at, order.on_site_at, order.done_at];
    expect(times.every((t) => t instanceof Date)).toBe(true);
    expect(times.map(Number)).toEqual([...times.map(Number)].sort((a, b) => a - b));
    expect(order.on_site_at <= order.on_site_due_at).toBe(true);
    const audit = await station.db.pool.query(
      `SELECT action FROM audit_log WHERE target = $1 AND details->>'user' = 'zhang' ORDER BY id`,
      [`work-order:${order.id}`],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'work-order.accept',
      'work-order.en-route',
      'work-order.on-site',
      'work-order.done',
    ]);
  });
});
