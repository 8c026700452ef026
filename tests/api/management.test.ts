import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './fixture.js';

/** Managing a facility through the api as an admin and its safety officer would, end to end. */
describe('api management: facilities, locations, residents, devices, coverage policies', () => {
  let fx: ApiFixture;
  beforeAll(async () => {
    fx = await startApiFixture();
  });
  afterAll(async () => fx?.close());

  const send = (token: string, method: string, path: string, body?: unknown) =>
    fx.call(token, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  /** Connects as a device with this secret; true when the gateway lets it in. */
  async function connects(id: string, secret: string): Promise<boolean> {
    try {
      const client = await mqtt.connectAsync(fx.gatewayUrl, {
        clientId: id,
        username: id,
        password: secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      await client.endAsync();
      return true;
    } catch {
      return false;
    }
  }

  it('creates a facility (admin) and lets its officer set it up', async () => {
    const { admin } = fx.tokens;
    const facility = { id: 'f9', name: 'Haus Ahorn', region: 'north', timezone: 'Asia/Shanghai' };
    expect(await send(admin, 'POST', '/api/v1/facilities', facility)).toMatchObject({ status: 201, body: facility });
    expect((await send(admin, 'POST', '/api/v1/facilities', facility)).body.error.code).toBe(
      'VIGIL_ERR_REGISTRY_CONFLICT',
    );
    const settings = await send(admin, 'PATCH', '/api/v1/facilities/f9', { settings: { night: { start: '21:30' } } });
    expect(settings.status).toBe(200);
    const { rows } = await fx.db.pool.query(`SELECT settings FROM facilities WHERE id = 'f9'`);
    expect(rows[0].settings).toEqual({ night: { start: '21:30' } });

    expect(await send(admin, 'POST', '/api/v1/facilities/f9/locations', { id: 'r1', kind: 'room' })).toMatchObject({
      status: 201,
      body: { facility: 'f9', id: 'r1', kind: 'room', name: null },
    });
    const renamed = await send(admin, 'PATCH', '/api/v1/facilities/f9/locations/r1', { name: 'Room 1' });
    expect(renamed.body).toMatchObject({ id: 'r1', name: 'Room 1' });
    expect((await fx.call(admin, '/api/v1/facilities/f9/locations')).body.locations).toHaveLength(1);
  });

  it('admits a resident, changes their risks and thresholds, and discharges them', async () => {
    const { officer } = fx.tokens;
    const admitted = await send(officer, 'POST', '/api/v1/residents/f1', {
      id: 'bernd',
      name: 'Bernd',
      careLevel: 'self-care',
      location: 'room-1',
    });
    expect(admitted).toMatchObject({ status: 201, body: { id: 'bernd', name: 'Bernd', fallRisk: 'none' } });
    const thresholds = { vitals: { hrAbove: 130 }, night: { start: '22:00', end: '06:30' } };
    const changed = await send(officer, 'PATCH', '/api/v1/residents/f1/bernd', {
      fallRisk: 'high',
      wanderRisk: true,
      thresholds,
    });
    expect(changed.body).toMatchObject({ fallRisk: 'high', wanderRisk: true });
    const { rows } = await fx.db.pool.query(
      `SELECT thresholds FROM residents WHERE facility_id = 'f1' AND id = 'bernd'`,
    );
    expect(rows[0].thresholds).toEqual(thresholds);
    // An unknown room is refused by the database's reference, typed.
    const room = await send(officer, 'PATCH', '/api/v1/residents/f1/bernd', { location: 'nowhere' });
    expect(room).toMatchObject({ status: 404, body: { error: { code: 'VIGIL_ERR_REGISTRY_NOT_FOUND' } } });

    const discharged = await send(officer, 'POST', '/api/v1/residents/f1/bernd/discharge');
    expect(discharged.body).toMatchObject({ id: 'bernd', active: false });
    expect((await send(officer, 'PATCH', '/api/v1/residents/f1/bernd', { wanderRisk: false })).status).toBe(404);
    // Another facility's officer cannot even see the resident.
    expect((await send(fx.tokens.caregiverF3, 'GET', '/api/v1/residents/f1/bernd')).status).toBe(404);
  });

  it("shows a resident's thresholds in force: own override, facility's value, default; refuses a bad one", async () => {
    const { officer, caregiver } = fx.tokens;
    await send(officer, 'POST', '/api/v1/residents/f1', { id: 'chen', name: '陈秀英', careLevel: 'semi-dependent' });
    await send(officer, 'PATCH', '/api/v1/facilities/f1', { settings: { vitals: { hrAbove: 140, spo2Below: 88 } } });
    await send(officer, 'PATCH', '/api/v1/residents/f1/chen', { thresholds: { vitals: { hrAbove: 125 } } });
    // A leaf the rules ignore, stored before the api validated (or by hand): reported, not applied.
    await fx.db.pool.query(
      `UPDATE residents SET thresholds = thresholds || '{"fall": {"confirmMs": -5}}' WHERE facility_id = 'f1' AND id = 'chen'`,
    );
    const shown = await send(officer, 'GET', '/api/v1/residents/f1/chen/thresholds');
    expect(shown.status).toBe(200);
    const leaf = (section: string, key: string) =>
      shown.body.settings.find((s: { section: string; key: string }) => s.section === section && s.key === key);
    expect(leaf('vitals', 'hrAbove')).toEqual({
      section: 'vitals',
      key: 'hrAbove',
      default: 130,
      facility: 140,
      resident: 125,
      effective: 125,
    });
    expect(leaf('vitals', 'spo2Below')).toMatchObject({ default: 90, facility: 88, resident: null, effective: 88 });
    expect(leaf('night', 'start')).toMatchObject({
      default: '22:00',
      facility: null,
      resident: null,
      effective: '22:00',
    });
    expect(leaf('fall', 'confirmMs')).toMatchObject({ resident: null, effective: 120_000 });
    expect(shown.body.ignored).toEqual(['fall.confirmMs: Too small: expected number to be >=0']);
    // Every leaf of the rules' settings is listed once.
    const names = shown.body.settings.map((s: { section: string; key: string }) => `${s.section}.${s.key}`);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['gas.coImmediateAtLeast', 'bedExitNight.confirmMs']));

    const refused = await send(officer, 'PATCH', '/api/v1/residents/f1/chen', {
      thresholds: { vitals: { hrAbove: 400 } },
    });
    expect(refused).toMatchObject({ status: 400 });
    expect(refused.body.error.message).toContain('body/thresholds/vitals/hrAbove');
    expect((await send(caregiver, 'GET', '/api/v1/residents/f1/chen/thresholds')).status).toBe(403);
    expect((await send(fx.tokens.officer, 'GET', '/api/v1/residents/f1/nobody/thresholds')).status).toBe(404);
    await send(officer, 'PATCH', '/api/v1/facilities/f1', { settings: {} });
  });

  it('registers a device with a secret shown once, assigns, rotates and retires it', async () => {
    const { officer } = fx.tokens;
    const registered = await send(officer, 'POST', '/api/v1/devices', { facility: 'f1', id: 'pir-9', kind: 'pir' });
    expect(registered).toMatchObject({ status: 201, body: { id: 'pir-9', kind: 'pir', expectedIntervalS: 600 } });
    const first = registered.body.secret as string;
    expect(await connects('pir-9', first)).toBe(true);
    expect((await fx.call(officer, '/api/v1/devices/pir-9')).body.secret).toBeUndefined();

    const assigned = await send(officer, 'PATCH', '/api/v1/devices/pir-9', { location: 'room-1', resident: 'anna' });
    expect(assigned.body).toMatchObject({ location: 'room-1', resident: 'anna' });

    const rotated = await send(officer, 'POST', '/api/v1/devices/pir-9/rotate-secret');
    expect(rotated.body.secret).not.toBe(first);
    expect(await connects('pir-9', first)).toBe(false);
    expect(await connects('pir-9', rotated.body.secret)).toBe(true);

    expect((await send(officer, 'POST', '/api/v1/devices/pir-9/retire')).body).toMatchObject({ retired: true });
    expect((await send(officer, 'POST', '/api/v1/devices/pir-9/retire')).status).toBe(404);
    expect((await send(officer, 'POST', '/api/v1/devices', { facility: 'f3', id: 'x', kind: 'pir' })).status).toBe(404);
    const audit = (await fx.call(officer, '/api/v1/audit?target=device:pir-9')).body.entries;
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      'device.retire',
      'device.rotate-secret',
      'device.assign',
      'device.register',
    ]);
    // The secret is never in the audit log.
    expect(JSON.stringify(audit)).not.toContain(first);
  });

  it('keeps one coverage policy per facility', async () => {
    const { officer, regulator } = fx.tokens;
    const policy = { places: [{ kind: 'room', devices: ['pir', 'smoke'] }], residents: [] };
    expect(await send(officer, 'PUT', '/api/v1/coverage-policies/f1', policy)).toMatchObject({
      status: 200,
      body: { facility: 'f1', policy },
    });
    expect((await fx.call(regulator, '/api/v1/coverage-policies')).body.policies).toEqual([
      expect.objectContaining({ facility: 'f1', policy }),
    ]);
    expect((await send(officer, 'DELETE', '/api/v1/coverage-policies/f1')).status).toBe(204);
    expect((await fx.call(officer, '/api/v1/coverage-policies/f1')).status).toBe(404);
  });
});
