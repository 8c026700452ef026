import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { start as startAlerts, type AlertsHandle } from '@vigil/alerts';
import { upsertServiceAccount } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../api/fixture.js';

/** Emergency plans: documents, filing status, and a drill run through the real alerts service. */
describe('emergency plans and drills', () => {
  let fx: ApiFixture;
  let alerts: AlertsHandle;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-plans-'));
    fx = await startApiFixture();
    const account = await upsertServiceAccount(fx.db.pool, 'svc-alerts', 'alerts');
    alerts = await startAlerts({
      databaseUrl: fx.db.url,
      dataDir,
      mqtt: { url: fx.gatewayUrl, username: account.id, password: account.secret },
    });
  });
  afterAll(async () => {
    await alerts?.close();
    await fx?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const json = (token: string, method: string, url: string, body: unknown) =>
    fx.call(token, url, { method, body: JSON.stringify(body) });
  // fx.call sends JSON; a document is uploaded as its own media type.
  const upload = async (token: string, type: string, body: string) => {
    const response = await fetch(`${fx.api.url}/api/v1/plans/f1/fire-1/document?filename=fire.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body,
    });
    return { status: response.status, body: await response.json() };
  };

  it('creates a plan, stores every uploaded version of its document', async () => {
    const created = await json(fx.tokens.officer, 'POST', '/api/v1/plans', {
      facility: 'f1',
      id: 'fire-1',
      kind: 'fire',
      title: 'Fire plan',
      reviewDue: '2027-06-01',
    });
    expect(created).toMatchObject({ status: 201, body: { id: 'fire-1', filingStatus: 'draft', version: null } });
    expect((await upload(fx.tokens.officer, 'text/plain', 'first')).body).toMatchObject({ version: 1, bytes: 5 });
    expect((await upload(fx.tokens.officer, 'text/markdown', '# second')).body).toMatchObject({ version: 2 });
    expect((await upload(fx.tokens.regulator, 'text/plain', 'x')).status).toBe(403);
    expect((await fx.call(fx.tokens.officer, '/api/v1/plans/f1/fire-1/document')).body).toBe('# second');
    expect((await fx.call(fx.tokens.officer, '/api/v1/plans/f1/fire-1/document?version=1')).body).toBe('first');
    const detail = await fx.call(fx.tokens.officer, '/api/v1/plans/f1/fire-1');
    expect(detail.body.versions.map((v: { version: number; mediaType: string }) => [v.version, v.mediaType])).toEqual([
      [1, 'text/plain'],
      [2, 'text/markdown'],
    ]);
  });

  it('files the plan; only the regulator of its region accepts it', async () => {
    const filing = (token: string, status: string) => json(token, 'POST', '/api/v1/plans/f1/fire-1/filing', { status });
    expect((await filing(fx.tokens.officer, 'filed')).body.filingStatus).toBe('filed');
    expect((await filing(fx.tokens.officer, 'accepted')).status).toBe(403);
    expect((await filing(fx.tokens.regulatorSouth, 'accepted')).status).toBe(404);
    expect((await fx.call(fx.tokens.regulatorSouth, '/api/v1/plans?facility=f1')).status).toBe(404);
    expect((await filing(fx.tokens.regulator, 'needs-revision')).body.filingStatus).toBe('needs-revision');
    expect((await filing(fx.tokens.regulator, 'accepted')).body.filingStatus).toBe('accepted');
  });

  it('runs a scheduled drill through the alerts service; its response time shows in the plan and the audit', async () => {
    const scheduled = await json(fx.tokens.officer, 'POST', '/api/v1/plans/f1/fire-1/drills', {
      scheduledFor: new Date().toISOString(),
    });
    expect(scheduled.status).toBe(201);
    const run = `/api/v1/plans/f1/fire-1/drills/${scheduled.body.id}/run`;
    const ran = await json(fx.tokens.officer, 'POST', run, {
      participants: ['otto', 'night shift'],
      location: 'room-1',
    });
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({ participants: ['otto', 'night shift'], secondsToAcknowledge: null });
    const { rows } = await fx.db.pool.query('SELECT rule, drill, subject FROM alerts WHERE id = $1', [ran.body.alert]);
    expect(rows[0]).toMatchObject({ rule: 'fire', drill: true });
    expect(
      (await fx.call(fx.tokens.caregiver, `/api/v1/alerts/${ran.body.alert}/ack`, { method: 'POST' })).status,
    ).toBe(200);
    expect((await json(fx.tokens.officer, 'POST', run, {})).status).toBe(409);

    const detail = await fx.call(fx.tokens.officer, '/api/v1/plans/f1/fire-1');
    const drill = detail.body.drills[0];
    expect(drill.secondsToAcknowledge).toBeGreaterThanOrEqual(0);
    await json(fx.tokens.officer, 'PATCH', `/api/v1/plans/f1/fire-1/drills/${drill.id}`, {
      findings: 'exit 2 blocked',
    });
    expect((await fx.call(fx.tokens.officer, '/api/v1/plans/f1/fire-1')).body.drills[0].findings).toBe(
      'exit 2 blocked',
    );

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const audit = await fx.call(fx.tokens.regulator, `/api/v1/coverage?facility=f1&from=${from}&to=${to}&locale=en`);
    expect(audit.body.plans).toEqual([
      expect.objectContaining({
        plan: 'fire-1',
        filingStatus: 'accepted',
        lastDrill: drill.ranAt,
        drillOverdue: false,
      }),
    ]);
    expect(audit.body.alerts).toEqual([
      expect.objectContaining({
        rule: 'fire',
        drill: true,
        count: 1,
        acknowledged: 1,
        medianSecondsToAcknowledge: drill.secondsToAcknowledge,
      }),
    ]);
    expect(audit.body.findings.filter((f: { subject: string }) => f.subject === 'fire-1')).toEqual([]);
  });
});
