import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../api/fixture.js';
import { FLEET, seedFleet } from './fleet.js';

const path = (locale: string, facility: string = FLEET.facility) =>
  `/api/v1/coverage?facility=${facility}&from=${FLEET.from}&to=${FLEET.to}&locale=${locale}`;
const expected = (name: string) => readFile(new URL(`expected/${name}`, import.meta.url), 'utf8');

/** GET /api/v1/coverage over the fabricated fleet (tests/coverage/fleet.ts) in its three forms, scoped. */
describe('coverage api', () => {
  let fx: ApiFixture;
  beforeAll(async () => {
    fx = await startApiFixture();
    await seedFleet(fx.db.pool, 'north');
  });
  afterAll(() => fx?.close());

  it('answers JSON with the findings and the score', async () => {
    const res = await fx.call(fx.tokens.admin, path('en'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ facility: 'fc', region: 'north', score: 70.1, policy: { version: 0 } });
    expect(res.body.findings.map((f: { text: string }) => f.text)).toContain(
      'bed mat bm-17 silent 02:10–05:40 on 2026-11-19',
    );
  });

  it('answers exactly the expected CSV (zh-CN) and printable HTML (en)', async () => {
    const csv = await fx.call(fx.tokens.admin, path('zh-CN'), { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.body).toBe(await expected('fc.zh-CN.csv'));
    const html = await fx.call(fx.tokens.admin, path('en'), { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.body).toBe(await expected('fc.en.html'));
  });

  it('gives a regulator of the region pseudonyms only, in every form, and one of another region 404', async () => {
    const { rows } = await fx.db.pool.query(`SELECT id, name, pseudonym FROM residents WHERE facility_id = 'fc'`);
    for (const accept of ['application/json', 'text/csv', 'text/html']) {
      const res = await fx.call(fx.tokens.regulator, path('zh-CN'), { headers: { accept } });
      expect(res.status).toBe(200);
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      expect(text).toContain(`住户 ${rows.find((r) => r.id === 'wang')!.pseudonym}`);
      for (const r of rows) {
        expect(text).not.toContain(r.name);
        expect(text).not.toMatch(new RegExp(`\\b${r.id}\\b`));
      }
      expect(text).not.toContain(String(FLEET.hr));
    }
    const south = await fx.call(fx.tokens.regulatorSouth, path('zh-CN'));
    expect(south).toMatchObject({ status: 404, body: { error: { code: 'VIGIL_ERR_API_NOT_FOUND' } } });
    expect((await fx.call(fx.tokens.officer, path('zh-CN'))).status).toBe(404);
    expect((await fx.call(fx.tokens.caregiver, path('zh-CN'))).status).toBe(403);
  });

  it('rolls up the region for its regulators and admins: JSON and CSV, pseudonymous', async () => {
    const region = (r: string) => `/api/v1/coverage?region=${r}&from=${FLEET.from}&to=${FLEET.to}`;
    const json = await fx.call(fx.tokens.regulator, region('north'));
    expect(json.status).toBe(200);
    const fc = json.body.facilities.find((f: { facility: string }) => f.facility === 'fc');
    expect(fc).toEqual({
      facility: 'fc',
      score: 70.1,
      policyVersion: 0,
      requirements: 8,
      missing: 3,
      findings: expect.objectContaining({ 'place-missing': 1, silent: 2, 'low-battery': 1, 'drill-missed': 1 }),
    });
    const csv = await fx.call(fx.tokens.admin, region('north'), { headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n')[0]).toBe('facility,score,policy_version,requirements,missing,findings');
    expect(csv.body).toMatch(/\r\nfc,70\.1,0,8,3,[^\r\n]*place-missing=1[^\r\n]*\r\n/);
    const { rows } = await fx.db.pool.query(`SELECT id, name, pseudonym FROM residents WHERE facility_id = 'fc'`);
    for (const text of [JSON.stringify(json.body), csv.body]) {
      for (const r of rows) expect(text).not.toContain(r.name);
      for (const device of ['bm-17', 'gas-k1', 'dr-1']) expect(text).not.toContain(device);
    }
    expect((await fx.call(fx.tokens.regulatorSouth, region('north'))).status).toBe(404);
    expect((await fx.call(fx.tokens.officer, region('north'))).status).toBe(404);
    expect((await fx.call(fx.tokens.caregiver, region('north'))).status).toBe(403);
    expect((await fx.call(fx.tokens.admin, region('nowhere'))).status).toBe(404);
    const both = await fx.call(fx.tokens.admin, `${region('north')}&facility=fc`);
    expect(both).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/exactly one/) } } });
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await fx.call(fx.tokens.admin, `/api/v1/coverage?facility=fc&from=${FLEET.to}&to=${FLEET.from}`);
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'VIGIL_ERR_STORE_QUERY_INVALID' } } });
  });
});
