import { randomUUID } from 'node:crypto';
import { runRetention } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert, startApiFixture, type ApiFixture } from './fixture.js';

const VITAL_KEYS = /"(hr|spo2|rr|sbp|dbp|skinTemp|latestVitals)"\s*:/;

describe('api privacy: regulators, consent, audit, retention, export and erasure; paging and validation', () => {
  let fx: ApiFixture;
  const alert = makeAlert({ facility: 'f1', device: 'wb-f1' });
  type Parameter = { in: string; name: string; schema?: { type?: string } };
  let doc: {
    paths: Record<string, Record<string, { operationId: string; requestBody?: unknown; parameters?: Parameter[] }>>;
  };

  beforeAll(async () => {
    fx = await startApiFixture();
    await fx.emit('raised', alert, { publish: false });
    await fx.db.pool.query(
      `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr, spo2)
       VALUES (now() - interval '10 minutes', 'wb-f1', 1, 'f1', 'anna', 71, 97)`,
    );
    await fx.db.pool.query(
      `INSERT INTO dead_letters (topic, facility_id, device_id, reason, payload, payload_size)
       VALUES ('vigil/v1/f1/wb-f1/vitals', 'f1', 'wb-f1', 'schema', 'x', 1)`,
    );
    doc = (await fx.call(null, '/api/v1/openapi.json')).body;
  });
  afterAll(async () => fx?.close());

  const getVitals = (token: string) => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    return fx.call(token, `/api/v1/residents/f1/anna/vitals?from=${from}&to=${new Date().toISOString()}&bucket=1m`);
  };

  it('shows no vital signs without consent, and audits every answer that carries them', async () => {
    const { officer, caregiver } = fx.tokens;
    const noConsent = await getVitals(caregiver);
    expect(noConsent.body).toMatchObject({ vitalsWithheld: 'consent', buckets: [] });
    expect((await fx.call(caregiver, '/api/v1/residents/f1/anna')).body.latestVitals).toBeUndefined();
    const reads = async () =>
      (await fx.call(officer, '/api/v1/audit?action=resident.vitals.read&target=resident:f1/anna')).body.entries;
    expect(await reads()).toEqual([]);

    const consent = { vitals: true, location: false, familyNotification: false };
    await fx.call(officer, '/api/v1/residents/f1/anna/consent', { method: 'PUT', body: JSON.stringify(consent) });
    const history = await getVitals(caregiver);
    expect(history.body.vitalsWithheld).toBeNull();
    expect(history.body.buckets).toEqual([
      expect.objectContaining({ samples: 1, hr: expect.objectContaining({ avg: 71 }) }),
    ]);
    expect((await fx.call(caregiver, '/api/v1/residents/f1/anna')).body.latestVitals).toHaveLength(1);
    expect(await reads()).toEqual([
      expect.objectContaining({ actor: 'carol', details: expect.objectContaining({ route: 'latest' }) }),
      expect.objectContaining({ actor: 'carol', details: expect.objectContaining({ route: 'history', bucket: '1m' }) }),
    ]);
    // Reading a resident's timeline is recorded too, whoever reads it.
    await fx.call(fx.tokens.regulator, `/api/v1/alerts/${alert.id}/timeline`);
    const timelineReads = (await fx.call(officer, '/api/v1/audit?action=resident.timeline.read')).body.entries;
    expect(timelineReads).toEqual([
      expect.objectContaining({
        actor: 'reg-north',
        target: 'resident:f1/anna',
        details: expect.objectContaining({ alert: alert.id }),
      }),
    ]);
    // The consent change itself is audited with who recorded it.
    const changes = (await fx.call(officer, '/api/v1/audit?action=resident.consent')).body.entries;
    expect(changes).toEqual([expect.objectContaining({ actor: 'otto', target: 'resident:f1/anna', details: consent })]);
  });

  it('never gives a regulator a name, a vital sign or a raw device id, on any GET route', async () => {
    const { regulator } = fx.tokens;
    const { rows } = await fx.db.pool.query(`SELECT pseudonym FROM residents WHERE facility_id = 'f1' AND id = 'anna'`);
    const values: Record<string, string> = {
      facility: 'f1',
      resident: rows[0].pseudonym,
      device: 'wb-f1',
      id: alert.id,
      location: 'room-1',
    };
    const query = `facility=f1&from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date().toISOString()}`;
    const bodies: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!methods.get || !path.startsWith('/api/v1/')) continue;
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!);
      const res = await fx.call(regulator, `${url}?${query}`);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
      bodies.push(`${path} ${JSON.stringify(res.body)}`);
    }
    expect(bodies.length).toBeGreaterThan(15);
    for (const body of bodies) {
      expect(body).not.toMatch(/Anna|Haus Linde Room|"anna"|resident:anna/);
      expect(body).not.toMatch(VITAL_KEYS);
      expect(body).not.toMatch(/wb-f[123]|sm-f[123]/);
    }
  });

  it('answers 400 with the zod message for invalid bodies, thresholds included', async () => {
    const { officer } = fx.tokens;
    const patch = (body: unknown) =>
      fx.call(officer, '/api/v1/residents/f1/anna', { method: 'PATCH', body: JSON.stringify(body) });
    const typo = await patch({ thresholds: { vitals: { hrAboove: 140 } } });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({ code: 'VIGIL_ERR_API_VALIDATION' });
    expect(typo.body.error.message).toMatch(/^body\/thresholds\/vitals: .*hrAboove/);
    const night = await patch({ thresholds: { night: { start: '25:00' } } });
    expect(night.body.error.message).toMatch(/^body\/thresholds\/night\/start: /);
    expect((await patch({ careLevel: 'sleepy' })).body.error.message).toMatch(/^body\/careLevel: /);
    // Every operation with a body refuses one of the wrong type with the same error.
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op.requestBody) continue;
        // A numeric path parameter (a shift's or a contact's id) gets a number, so the body is what is wrong.
        const numeric = (name: string) =>
          (op.parameters ?? []).some(
            (p) => p.in === 'path' && p.name === name && ['integer', 'number'].includes(p.schema?.type ?? ''),
          );
        const url = path.replace(
          /\{(\w+)\}/g,
          (_, name: string) =>
            (numeric(name) ? '1' : undefined) ??
            { id: alert.id, dataClass: 'vitals', drill: '1', step: 'accept' }[name] ??
            (name === 'facility' ? 'f1' : 'anna'),
        );
        const res = await fx.call(fx.tokens.admin, url, { method: method.toUpperCase(), body: '[1]' });
        expect({ op: op.operationId, status: res.status, code: res.body.error?.code }).toEqual({
          op: op.operationId,
          status: 400,
          code: 'VIGIL_ERR_API_VALIDATION',
        });
        expect(res.body.error.message).toMatch(/^body/);
      }
    }
  });

  it('pages every alert exactly once with the cursor, ties in raisedAt included', async () => {
    const raisedAt = new Date(Date.now() - 86_400_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) {
      const id = randomUUID();
      ids.push(id);
      // Three alerts a millisecond: the (raisedAt, id) keyset must order ties.
      const at = new Date(Date.parse(raisedAt) - Math.floor(i / 3)).toISOString();
      await fx.db.pool.query(
        `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, detail, raised_at, occurred_at, last_seen_at)
         VALUES ($1, 'f2', 'fire', 'critical', 'open', $2, 'smoke', $3, $3, $3)`,
        [id, `location:x${i}`, at],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { alerts: { id: string }[]; nextCursor: string | null } } = await fx.call(
        fx.tokens.admin,
        `/api/v1/alerts?facility=f2&priority=critical&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.body.alerts, `${seen.length} ${JSON.stringify(res.body)}`).toBeDefined();
      seen.push(...res.body.alerts.map((a) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(45);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('enforces retention per data class with the existing job', async () => {
    const { admin } = fx.tokens;
    const set = await fx.call(admin, '/api/v1/retention/audit', { method: 'PUT', body: JSON.stringify({ days: 30 }) });
    expect(set).toMatchObject({ status: 200, body: { dataClass: 'audit', days: 30, updatedBy: 'admin-test' } });
    await fx.db.pool.query(
      `INSERT INTO audit_log (at, actor, action, target) VALUES (now() - interval '40 days', 'old', 'x.read', 'old')`,
    );
    const result = await runRetention(fx.db.pool, { now: () => Date.now() }, 180);
    expect(result.dropped.audit_log).toBeGreaterThanOrEqual(1);
    const { rows } = await fx.db.pool.query(`SELECT 1 FROM audit_log WHERE actor = 'old'`);
    expect(rows).toEqual([]);
    const listed = await fx.call(fx.tokens.officer, '/api/v1/retention');
    expect(listed.body).toMatchObject({
      defaultDays: 180,
      settings: [expect.objectContaining({ dataClass: 'audit' })],
    });
  });

  it('exports a resident as JSON and erases them only after discharge + retention, both audited', async () => {
    const { officer } = fx.tokens;
    const exported = await fx.call(officer, '/api/v1/residents/f1/anna/export');
    expect(exported.body.resident).toMatchObject({ id: 'anna', name: 'Anna f1' });
    expect(exported.body.vitals).toEqual([expect.objectContaining({ hr: 71 })]);
    const erase = () => fx.call(officer, '/api/v1/residents/f1/anna/erase', { method: 'POST' });
    expect((await erase()).status).toBe(409); // not discharged
    await fx.call(officer, '/api/v1/residents/f1/anna/discharge', { method: 'POST' });
    expect((await erase()).body.error.message).toMatch(/within retention/);
    await fx.db.pool.query(
      `UPDATE residents SET discharged_at = now() - interval '181 days' WHERE id = 'anna' AND facility_id = 'f1'`,
    );
    expect(await erase()).toMatchObject({ status: 200, body: { erased: { vitals: 1 } } });
    const after = await fx.call(officer, '/api/v1/residents/f1/anna/export');
    expect(after.body).toMatchObject({ resident: { name: null }, consent: null, vitals: [] });
    const audit = (await fx.call(officer, '/api/v1/audit?target=resident:f1/anna')).body.entries;
    const actions = audit.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['resident.export', 'resident.discharge', 'resident.erase']));
    // Refused erasures left no entry.
    expect(actions.filter((a: string) => a === 'resident.erase')).toHaveLength(1);
  });

  it('lets officers read dead letters of their facility only', async () => {
    const own = await fx.call(fx.tokens.officer, '/api/v1/dead-letters');
    expect(own.body.deadLetters).toEqual([expect.objectContaining({ device: 'wb-f1', reason: 'schema' })]);
    const other = await fx.call(fx.tokens.caregiverF3, '/api/v1/dead-letters');
    expect(other.status).toBe(403);
  });
});
