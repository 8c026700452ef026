import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { start as startAlerts, type AlertsHandle } from '@vigil/alerts';
import { start as startIngest, type IngestHandle } from '@vigil/ingest';
import {
  addDevice,
  addFacility,
  addLocation,
  addResident,
  addUser,
  createToken,
  setConsent,
  upsertServiceAccount,
} from '@vigil/store';
import { deviceTopic } from '@vigil/protocol';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startApiFixture, type ApiFixture } from '../api/fixture.js';
import { mosquittoPub } from '../helpers/processes.js';
import en from '../../web/shared/en.json' with { type: 'json' };
import zh from '../../web/shared/zh-CN.json' with { type: 'json' };

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The facility the web tests watch: a Chinese care home, as the demo seeds it in zh-CN. */
export const HOME = { id: 'songhe', name: '松鹤养老院', region: 'north' } as const;
export const PEOPLE = { wang: '王秀英', li: '李建国' } as const;
export const ROOMS = { 'room-101': '101 房', 'room-102': '102 房' } as const;

/** A wall display's token (`vigil token create --role display`), handed to the display in its link. */
export type DisplayToken = string;

/** Someone who signs in with a username and password (the user id is what alert records name). */
export interface Person {
  username: string;
  password: string;
  name: string;
}
/** The home's staff and the region's regulator, with passwords: they sign in through the page's form. */
export const STAFF = {
  caregiver: { username: 'zhanghong', password: 'zhanghong-密码-1', name: '张红' },
  officer: { username: 'liumin', password: 'liumin-密码-22', name: '刘敏' },
  regulator: { username: 'minzheng', password: 'minzheng-密码-3', name: '民政局' },
} as const satisfies Record<string, Person>;

export interface WebFixture {
  fx: ApiFixture;
  browser: Browser;
  /** Bearer tokens for the test's own api calls and the displays; people sign in on the pages as `STAFF`. */
  tokens: { display: string; display2: string; caregiver: string; officer: string; regulator: string };
  /** An event of 王秀英's wristband (`fall`, `sos`), published with mosquitto_pub as a third-party device would. */
  wristband(type: 'fall' | 'sos', seq: number): Promise<void>;
  /** An event of room 101's call button (`sos`, `cancel`, `presence`: the caregiver's presence key), by mosquitto_pub. */
  button(type: 'sos' | 'cancel' | 'presence', seq: number): Promise<void>;
  /** A batch of 王秀英's wristband readings (heart rate, SpO2), one a minute up to now, through ingest. */
  vitals(seq: number, heartRates: number[]): Promise<void>;
  /** Uncaught errors and Content-Security-Policy refusals of every page opened so far. */
  pageErrors: string[];
  /**
   * A page in a fresh context (its own cookies and localStorage) at `path`: with a display token in the link (a
   * string: never a person's token), as a person signed in through the page's own form, or signed out.
   */
  open(pagePath: string, as: DisplayToken | Person | null): Promise<Page>;
  close(): Promise<void>;
}

async function seedHome(fx: ApiFixture) {
  const db = fx.db.pool;
  await addFacility(db, { id: HOME.id, name: HOME.name, region: HOME.region, timezone: 'Asia/Shanghai' });
  for (const [id, name] of Object.entries(ROOMS)) await addLocation(db, { facility: HOME.id, id, kind: 'room', name });
  await addResident(db, {
    facility: HOME.id,
    id: 'wang',
    name: PEOPLE.wang,
    careLevel: 'semi-dependent',
    fallRisk: 'high',
    location: 'room-101',
  });
  await addResident(db, {
    facility: HOME.id,
    id: 'li',
    name: PEOPLE.li,
    careLevel: 'fully-dependent',
    fallRisk: 'none',
    location: 'room-102',
  });
  // Both consented to their vital signs being shown to the home's staff (docs/api.md "Privacy").
  const consent = { vitals: true, location: true, familyNotification: false };
  for (const resident of ['wang', 'li']) await setConsent(db, HOME.id, resident, consent, '刘主管');
  const wristband = await addDevice(db, { facility: HOME.id, id: 'wb-wang', kind: 'wristband', resident: 'wang' });
  await addDevice(db, { facility: HOME.id, id: 'bm-li', kind: 'bedmat', resident: 'li' });
  await addDevice(db, { facility: HOME.id, id: 'sm-101', kind: 'smoke', location: 'room-101' });
  const button = await addDevice(db, { facility: HOME.id, id: 'bt-101', kind: 'button', location: 'room-101' });
  const token = async (input: Parameters<typeof createToken>[1]) => (await createToken(db, input)).token;
  const scopes = {
    caregiver: { facility: HOME.id },
    officer: { facility: HOME.id },
    regulator: { region: HOME.region },
  };
  const roles = { caregiver: 'caregiver', officer: 'safety-officer', regulator: 'regulator' } as const;
  for (const [key, person] of Object.entries(STAFF) as [keyof typeof STAFF, Person][]) {
    const { username: id, name, password } = person;
    await addUser(db, { id, name, password, role: roles[key], ...scopes[key] });
  }
  return {
    secrets: { 'wb-wang': wristband.secret, 'bt-101': button.secret },
    tokens: {
      display: await token({ role: 'display', facility: HOME.id, label: '护理站大屏' }),
      display2: await token({ role: 'display', facility: HOME.id, label: '走廊屏' }),
      caregiver: await token({ role: 'caregiver', facility: HOME.id, label: '张护士' }),
      officer: await token({ role: 'safety-officer', facility: HOME.id, label: '刘主管' }),
      regulator: await token({ role: 'regulator', region: HOME.region, label: '民政局' }),
    },
  };
}

/** The real api, gateway, alerts service and Chromium, with 松鹤养老院 seeded. */
export async function startWebFixture(): Promise<WebFixture> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-web-'));
  const fx = await startApiFixture({ heartbeatMs: 500 });
  let alerts: AlertsHandle | null = null;
  let ingest: IngestHandle | null = null;
  let browser: Browser | null = null;
  try {
    const { secrets, tokens } = await seedHome(fx);
    const account = await upsertServiceAccount(fx.db.pool, 'svc-alerts', 'alerts');
    alerts = await startAlerts({
      databaseUrl: fx.db.url,
      dataDir,
      mqtt: { url: fx.gatewayUrl, username: account.id, password: account.secret },
    });
    const ingestAccount = await upsertServiceAccount(fx.db.pool, 'svc-ingest', 'ingest');
    ingest = await startIngest({
      databaseUrl: fx.db.url,
      mqtt: { url: fx.gatewayUrl, username: ingestAccount.id, password: ingestAccount.secret },
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const port = Number(new URL(fx.gatewayUrl).port);
    const b = browser;
    const a = alerts;
    const i = ingest;
    const publish = (kind: 'event' | 'reading', message: object, device: 'wb-wang' | 'bt-101' = 'wb-wang') =>
      mosquittoPub({
        port,
        id: device,
        secret: secrets[device],
        topic: deviceTopic(HOME.id, device, kind),
        message: JSON.stringify(message),
      });
    const pageErrors: string[] = [];
    return {
      fx,
      browser: b,
      pageErrors,
      tokens,
      async wristband(type, seq) {
        await publish('event', {
          seq,
          ts: new Date().toISOString(),
          type,
          ...(type === 'fall' ? { confidence: 0.93 } : {}),
        });
      },
      async button(type, seq) {
        await publish('event', { seq, ts: new Date().toISOString(), type }, 'bt-101');
      },
      async vitals(seq, heartRates) {
        const now = Date.now();
        const samples = heartRates.map((hr, k) => ({
          ts: new Date(now - (heartRates.length - k) * 60_000).toISOString(),
          hr,
          spo2: 97,
        }));
        await publish('reading', { seq, samples });
      },
      async open(pagePath, as) {
        const context = await b.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
        const page = await context.newPage();
        page.on('pageerror', (err) => pageErrors.push(`${pagePath}: ${err.message}`));
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) pageErrors.push(`${pagePath}: ${message.text()}`);
        });
        await page.goto(`${fx.api.url}${pagePath}${typeof as === 'string' ? `?token=${as}` : ''}`);
        if (as && typeof as !== 'string') await signInThroughForm(page, as);
        return page;
      },
      async close() {
        await b.close();
        await a.close();
        await i.close();
        await fx.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close();
    await alerts?.close();
    await ingest?.close();
    await fx.close();
    throw err;
  }
}

const signInForm = (page: Page) =>
  page.locator('form').filter({ has: page.getByRole('heading', { name: zh.common.signIn }) });

/** Fills in the page's sign-in form as a person does and submits it. */
export async function submitSignIn(page: Page, person: Person): Promise<void> {
  const form = signInForm(page);
  await form.getByLabel(zh.signIn.username).fill(person.username);
  await form.getByLabel(zh.signIn.password).fill(person.password);
  await form.getByRole('button', { name: zh.common.signIn }).click();
}

/** Signs in through the page's form and waits until the form has gone. */
export async function signInThroughForm(page: Page, person: Person): Promise<void> {
  await submitSignIn(page, person);
  await signInForm(page).waitFor({ state: 'detached' });
}

const require = createRequire(import.meta.url);
/** axe-core's source, evaluated in the page (the pages' CSP refuses injected script tags). */
const AXE = readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0/2.1 A and AA violations of the page as axe-core finds them (rule id and the nodes' targets). */
export async function wcagViolations(page: Page): Promise<{ id: string; targets: string[] }[]> {
  await page.evaluate(await AXE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/**
 * Switches the page to English with its language switch, waits for `heading` (in English) and returns the
 * visible text less the data (names of people, rooms, the home, and `otherData`), then switches back to 简体中文.
 */
export async function englishText(page: Page, heading: string, otherData: string[] = []): Promise<string> {
  await page.getByLabel(zh.common.language).selectOption('en');
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
  const staff = Object.values(STAFF).flatMap((person) => [person.name, person.username]);
  const data = [
    HOME.name,
    ...Object.values(PEOPLE),
    ...Object.values(ROOMS),
    ...staff,
    '张护士',
    '刘主管',
    '护理站大屏',
    '走廊屏',
    '简体中文',
    ...otherData,
  ];
  let text = await page.locator('body').innerText();
  for (const d of data) text = text.replaceAll(d, '');
  await page.getByLabel(en.common.language).selectOption('zh-CN');
  return text;
}

/** Saves a screenshot into $VIGIL_SCREENSHOTS (`npm run screenshots` sets docs/screenshots). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.VIGIL_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`) });
}
