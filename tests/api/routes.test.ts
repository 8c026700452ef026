import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert, startApiFixture, type ApiFixture } from './fixture.js';

describe('api REST: auth, scoping, validation, privacy', () => {
  let fx: ApiFixture;
  const f1Alert = makeAlert({ facility: 'f1', device: 'wb-f1' });
  const f3Alert = makeAlert({ facility: 'f3', device: 'wb-f3' });

  beforeAll(async () => {
    fx = await startApiFixture();
    await fx.emit('raised', f1Alert, { publish: false });
    await fx.emit('raised', f3Alert, { publish: false });
    await fx.db.pool.query(
      `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr, spo2) VALUES (now(), 'wb-f1', 1, 'f1', 'anna', 71, 97)`,
    );
    await fx.db.pool.query(
      `INSERT INTO device_events (time, device_id, seq, facility_id, type, confidence) VALUES (now(), 'wb-f1', 2, 'f1', 'fall', 0.93)`,
    );
  });
  afterAll(async () => fx?.close());

  /** Every request answers `status` with the error `code` (the path is part of the comparison for a clear diff). */
  async function expectRefusals(requests: [string, string, RequestInit?][], status: number, code: string) {
    for (const [token, path, init] of requests) {
      const res = await fx.call(token, path, init);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status, code });
    }
  }

  it('serves health, readiness and metrics without a token', async () => {
    expect(await fx.call(null, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await fx.call(null, '/readyz');
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', broker: 'ok', alertFeed: 'ok' } },
    });
    const metrics = await fx.call(null, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/vigil_api_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/);
  });

  it('answers 401 with the error format for a missing, malformed or unknown token', async () => {
    for (const [token, header] of [
      [null, undefined],
      ['vgl_not-a-real-token', undefined],
      [null, 'Basic abc'],
    ] as const) {
      const res = await fx.call(token, '/api/v1/alerts', header ? { headers: { authorization: header } } : {});
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('VIGIL_ERR_API_UNAUTHENTICATED');
      expect(typeof res.body.error.message).toBe('string');
    }
  });

  it('validates query, params and bodies with zod and says what is wrong', async () => {
    const { caregiver } = fx.tokens;
    const status = await fx.call(caregiver, '/api/v1/alerts?status=bogus');
    expect(status.status).toBe(400);
    expect(status.body.error.code).toBe('VIGIL_ERR_API_VALIDATION');
    expect(status.body.error.message).toMatch(/^querystring\/status: .*"open"/);

    const id = await fx.call(caregiver, '/api/v1/alerts/not-a-uuid');
    expect(id.status).toBe(400);
    expect(id.body.error.message).toMatch(/^params\/id: /);

    const limit = await fx.call(caregiver, '/api/v1/alerts?limit=0');
    expect(limit.body.error.message).toMatch(/^querystring\/limit: /);

    const body = await fx.call(caregiver, `/api/v1/alerts/${f1Alert.id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'fine' }),
    });
    expect(body.status).toBe(400);
    expect(body.body.error).toMatchObject({ code: 'VIGIL_ERR_API_VALIDATION' });
    expect(body.body.error.message).toMatch(/^body\/outcome: .*assisted/);

    const cursor = await fx.call(caregiver, '/api/v1/alerts?cursor=garbage');
    expect(cursor.body.error.code).toBe('VIGIL_ERR_API_VALIDATION');

    const route = await fx.call(caregiver, '/api/v1/nothing-here');
    expect(route).toMatchObject({ status: 404, body: { error: { code: 'VIGIL_ERR_API_NOT_FOUND' } } });
  });

  it('answers 404 (not 403) for every resource outside the token scope', async () => {
    const { caregiver, officer, regulatorSouth } = fx.tokens;
    const outside: [string, string, RequestInit?][] = [
      [caregiver, '/api/v1/facilities/f3'],
      [caregiver, '/api/v1/residents/f3/anna'],
      [caregiver, '/api/v1/residents?facility=f3'],
      [caregiver, '/api/v1/devices/wb-f3'],
      [caregiver, '/api/v1/devices?facility=f3'],
      [caregiver, `/api/v1/alerts/${f3Alert.id}`],
      [caregiver, '/api/v1/alerts?facility=f3'],
      [caregiver, `/api/v1/alerts/${f3Alert.id}/ack`, { method: 'POST' }],
      [officer, `/api/v1/alerts/${f3Alert.id}/timeline`],
      [officer, '/api/v1/drills', { method: 'POST', body: JSON.stringify({ facility: 'f3' }) }],
      [regulatorSouth, '/api/v1/facilities/f1'],
      [regulatorSouth, `/api/v1/alerts/${f1Alert.id}`],
    ];
    await expectRefusals(outside, 404, 'VIGIL_ERR_API_NOT_FOUND');
    // …while the same reads inside the scope work.
    for (const path of ['/api/v1/facilities/f1', '/api/v1/residents/f1/anna', '/api/v1/devices/wb-f1']) {
      expect((await fx.call(caregiver, path)).status).toBe(200);
    }
    expect((await fx.call(officer, `/api/v1/alerts/${f1Alert.id}/timeline`)).status).toBe(200);
  });

  it('lists only what is in scope', async () => {
    const { caregiver, regulator, admin } = fx.tokens;
    const ids = async (token: string, path: string, key: string, field = 'facility') =>
      (await fx.call(token, path)).body[key].map((item: Record<string, string>) => item[field]).sort();
    expect(await ids(caregiver, '/api/v1/facilities', 'facilities', 'id')).toEqual(['f1']);
    expect(await ids(regulator, '/api/v1/facilities', 'facilities', 'id')).toEqual(['f1', 'f2']);
    expect(await ids(admin, '/api/v1/facilities', 'facilities', 'id')).toEqual(['f1', 'f2', 'f3']);
    expect(await ids(caregiver, '/api/v1/alerts', 'alerts')).toEqual(['f1']);
    expect(await ids(regulator, '/api/v1/alerts', 'alerts')).toEqual(['f1']);
    expect(await ids(admin, '/api/v1/alerts', 'alerts')).toEqual(['f1', 'f3']);
    expect(await ids(caregiver, '/api/v1/devices', 'devices', 'id')).toEqual(['sm-f1', 'wb-f1']);
    expect(await ids(regulator, '/api/v1/residents', 'residents')).toEqual(['f1', 'f2']);
  });

  it('refuses with 403 what a role may not do in its own scope', async () => {
    const { display, regulator, caregiver } = fx.tokens;
    const forbidden: [string, string, RequestInit?][] = [
      [display, '/api/v1/residents'],
      [display, '/api/v1/devices/wb-f1'],
      [display, `/api/v1/alerts/${f1Alert.id}/ack`, { method: 'POST' }],
      [regulator, `/api/v1/alerts/${f1Alert.id}/ack`, { method: 'POST' }],
      [regulator, '/api/v1/display/labels?facility=f1'],
      [caregiver, '/api/v1/drills', { method: 'POST', body: '{}' }],
      [caregiver, `/api/v1/alerts/${f1Alert.id}/timeline`],
    ];
    await expectRefusals(forbidden, 403, 'VIGIL_ERR_API_FORBIDDEN');
    expect((await fx.call(display, '/api/v1/alerts?status=open')).body.alerts).toHaveLength(1);
    expect((await fx.call(display, '/api/v1/display/labels')).body).toEqual({
      facility: { id: 'f1', name: 'Haus Linde' },
      residents: { anna: 'Anna f1' },
      locations: { 'room-1': 'Room 1' },
    });
  });

  it('never shows a regulator names, resident ids, device ids or vital signs; vitals need consent', async () => {
    const { regulator, officer } = fx.tokens;
    const { rows } = await fx.db.pool.query(`SELECT pseudonym FROM residents WHERE facility_id = 'f1'`);
    const pseudonym = rows[0].pseudonym as string;
    const everything = await Promise.all(
      [
        '/api/v1/residents',
        `/api/v1/residents/f1/${pseudonym}`,
        '/api/v1/alerts',
        `/api/v1/alerts/${f1Alert.id}`,
        `/api/v1/alerts/${f1Alert.id}/timeline`,
      ].map((path) => fx.call(regulator, path)),
    );
    for (const res of everything) expect(res.status).toBe(200);
    const text = JSON.stringify(everything.map((res) => res.body));
    expect(text).not.toMatch(/Anna|"anna"|resident:anna|confidence 0\.93|"hr"|"spo2"|wb-f1/);
    expect((await fx.call(regulator, '/api/v1/devices/wb-f1')).status).toBe(403);
    expect(text).toContain(pseudonym);
    expect(everything[2]!.body.alerts[0]).toMatchObject({ resident: pseudonym, subject: `resident:${pseudonym}` });
    expect(everything[4]!.body.device).toMatchObject({ readings: [], readingsWithheld: true });
    expect((await fx.call(regulator, '/api/v1/residents/f1/anna')).status).toBe(404);

    // Facility staff see names; vital signs only once the resident's consent to them is recorded.
    const withoutConsent = await fx.call(officer, '/api/v1/residents/f1/anna');
    expect(withoutConsent.body).toMatchObject({ name: 'Anna f1', vitalsWithheld: 'consent' });
    expect(withoutConsent.body.latestVitals).toBeUndefined();
    const timelineWithout = await fx.call(officer, `/api/v1/alerts/${f1Alert.id}/timeline`);
    expect(timelineWithout.body.device).toMatchObject({ readings: [], readingsWithheld: true });
    const consent = { vitals: true, location: true, familyNotification: false };
    const recorded = await fx.call(officer, '/api/v1/residents/f1/anna/consent', {
      method: 'PUT',
      body: JSON.stringify(consent),
    });
    expect(recorded).toMatchObject({ status: 200, body: { ...consent, recordedBy: 'otto' } });
    const resident = await fx.call(officer, '/api/v1/residents/f1/anna');
    expect(resident.body).toMatchObject({ id: 'anna', name: 'Anna f1', pseudonym, openAlerts: 1 });
    expect(resident.body.latestVitals).toEqual([expect.objectContaining({ device: 'wb-f1', hr: 71, spo2: 97 })]);
    const timeline = await fx.call(officer, `/api/v1/alerts/${f1Alert.id}/timeline`);
    expect(timeline.body.device).toMatchObject({ kind: 'wristband', readingsWithheld: false });
    expect(timeline.body.device.readings).toEqual([expect.objectContaining({ hr: 71, spo2: 97 })]);
    expect(timeline.body.device.events).toEqual([
      expect.objectContaining({ type: 'fall', confidence: expect.closeTo(0.93) }),
    ]);
  });

  it('pages alerts with an opaque cursor, newest first, without overlap', async () => {
    const { admin } = fx.tokens;
    const base = Date.parse('2026-11-01T10:00:00Z');
    for (let i = 0; i < 3; i++) {
      const at = new Date(base + i * 60_000).toISOString();
      await fx.emit(
        'raised',
        makeAlert({
          facility: 'f2',
          device: 'sm-f2',
          rule: 'fire',
          subject: `device:sm-${i}`,
          raisedAt: at,
          resident: null,
        }),
        {
          publish: false,
        },
      );
    }
    const first = await fx.call(admin, '/api/v1/alerts?facility=f2&limit=2');
    expect(first.body.alerts.map((a: { subject: string }) => a.subject)).toEqual(['device:sm-2', 'device:sm-1']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await fx.call(admin, `/api/v1/alerts?facility=f2&limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toMatchObject({ alerts: [{ subject: 'device:sm-0' }], nextCursor: null });
    const window = await fx.call(
      admin,
      '/api/v1/alerts?facility=f2&from=2026-11-01T10:01:00Z&to=2026-11-01T11:02:00%2B01:00',
    );
    expect(window.body.alerts.map((a: { subject: string }) => a.subject)).toEqual(['device:sm-1']);
  });

  it('publishes an OpenAPI document and its UI', async () => {
    const spec = await fx.call(null, '/api/v1/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/alerts',
        '/api/v1/alerts/{id}/resolve',
        '/api/v1/alerts/{id}/timeline',
        '/api/v1/drills',
      ]),
    );
    expect(spec.body.paths['/api/v1/alerts/{id}/resolve'].post.requestBody).toBeDefined();
    expect(Object.keys(spec.body.paths['/api/v1/alerts/{id}/resolve'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '503']),
    );
    const docs = await fetch(`${fx.api.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toMatch(/swagger/i);
  });
});
