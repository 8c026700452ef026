import { addDevice, addFacility, addLocation, addResident, readRoomBoard, setConsent } from '@vigil/store';
import type { Queryable } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from './auth-helpers.js';
import { startApiFixture, type ApiFixture } from './fixture.js';

const ADMIN = { tokenId: 't', role: 'admin', facility: null, region: null, user: null, actor: 'test' } as const;

/** The wall display's room board: one request, consent respected, audited, no query per bed. */
describe('api room board GET /api/v1/rooms', () => {
  let fx: ApiFixture;
  beforeAll(async () => {
    fx = await startApiFixture();
    const db = fx.db.pool;
    await addLocation(db, { facility: 'f1', id: 'room-2', kind: 'room', name: '102 房' });
    await addLocation(db, { facility: 'f1', id: 'room-3', kind: 'room', name: '103 房' });
    await addLocation(db, { facility: 'f1', id: 'bath-1', kind: 'bathroom', name: '浴室' });
    await addResident(db, {
      facility: 'f1',
      id: 'bao',
      name: '鲍玉兰',
      careLevel: 'fully-dependent',
      location: 'room-2',
    });
    await addResident(db, { facility: 'f1', id: 'chen', name: '陈建国', careLevel: 'self-care', location: 'room-2' });
    await setConsent(db, 'f1', 'bao', { vitals: true, location: true, familyNotification: false }, 'test');
    await setConsent(db, 'f1', 'chen', { vitals: false, location: true, familyNotification: false }, 'test');
    await addDevice(db, { facility: 'f1', id: 'wb-bao', kind: 'wristband', resident: 'bao' });
    await addDevice(db, { facility: 'f1', id: 'bm-bao', kind: 'bedmat', resident: 'bao' });
    await addDevice(db, { facility: 'f1', id: 'wb-chen', kind: 'wristband', resident: 'chen' });
    await addDevice(db, { facility: 'f1', id: 'pir-3', kind: 'pir', location: 'room-3' });
    // Seen just now: wb-bao online with a low battery; bm-bao and wb-chen online; pir-3 offline.
    await db.query(
      `UPDATE devices SET online = true, last_seen_at = now(), battery = 80 WHERE id IN ('wb-bao', 'bm-bao', 'wb-chen', 'pir-3')`,
    );
    await db.query(`UPDATE devices SET battery = 12 WHERE id = 'wb-bao'`);
    await db.query(`UPDATE devices SET online = false WHERE id = 'pir-3'`);
    await db.query(
      `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr, spo2, rr, occupied) VALUES
         (now() - interval '5 minutes', 'wb-bao', 1, 'f1', 'bao', 70, 95, null, null),
         (now() - interval '1 minute', 'wb-bao', 2, 'f1', 'bao', 74, null, null, null),
         (now() - interval '2 minutes', 'bm-bao', 1, 'f1', 'bao', null, null, 15, true),
         (now() - interval '2 days', 'bm-bao', 0, 'f1', 'bao', null, null, 30, false),
         (now() - interval '1 minute', 'wb-chen', 1, 'f1', 'chen', 88, 93, 18, null)`,
    );
  });
  afterAll(async () => fx?.close());

  it('answers every room with its beds, the latest readings where consented, and devices offline or low', async () => {
    const { status, body } = await fx.call(fx.tokens.display, '/api/v1/rooms');
    expect(status).toBe(200);
    expect(body.facility).toBe('f1');
    expect(body.rooms.map((r: { id: string }) => r.id)).toEqual(['room-1', 'room-2', 'room-3']);
    const [room1, room2, room3] = body.rooms;
    expect(room2).toMatchObject({ name: '102 房', devices: 3, offline: 0, lowBattery: 1 });
    expect(room2.beds).toEqual([
      {
        resident: 'bao',
        name: '鲍玉兰',
        vitalsWithheld: null,
        occupied: true,
        hr: 74,
        rr: 15,
        spo2: 95,
        readAt: expect.any(String),
      },
      // No consent to vitals: no reading at all, though the wristband sent some.
      {
        resident: 'chen',
        name: '陈建国',
        vitalsWithheld: 'consent',
        occupied: null,
        hr: null,
        rr: null,
        spo2: null,
        readAt: null,
      },
    ]);
    expect(Date.now() - Date.parse(room2.beds[0].readAt)).toBeLessThan(5 * 60_000);
    // Anna (room 1) has no consent recorded; her wristband and the smoke detector were never seen: offline.
    expect(room1).toMatchObject({ devices: 2, offline: 2, lowBattery: 0 });
    expect(room1.beds).toEqual([expect.objectContaining({ resident: 'anna', vitalsWithheld: 'consent', hr: null })]);
    expect(room3).toMatchObject({ name: '103 房', beds: [], devices: 1, offline: 1 });
  });

  it('writes one audit entry per answer naming the residents whose readings it carried', async () => {
    const before = (await auditOf(fx, { action: 'resident.vitals.read' })).length;
    await fx.call(fx.tokens.caregiver, '/api/v1/rooms?facility=f1');
    const entries = await auditOf(fx, { action: 'resident.vitals.read' });
    expect(entries).toHaveLength(before + 1);
    expect(entries[0]).toEqual({
      actor: 'carol',
      action: 'resident.vitals.read',
      target: 'facility:f1',
      facility: 'f1',
      details: { route: 'rooms', residents: ['bao'] },
    });
  });

  it('refuses regulators and hides other facilities', async () => {
    const refused = await fx.call(fx.tokens.regulator, '/api/v1/rooms?facility=f1');
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'VIGIL_ERR_API_FORBIDDEN' } } });
    expect((await fx.call(fx.tokens.display, '/api/v1/rooms?facility=f3')).status).toBe(404);
    expect((await fx.call(fx.tokens.admin, '/api/v1/rooms')).status).toBe(400);
    // Without a reading shown there is nothing to audit.
    const before = (await auditOf(fx, { action: 'resident.vitals.read' })).length;
    expect((await fx.call(fx.tokens.admin, '/api/v1/rooms?facility=f2')).status).toBe(200);
    expect(await auditOf(fx, { action: 'resident.vitals.read' })).toHaveLength(before);
  });

  it('reads a facility of 200 beds in two statements, whatever the number of beds', async () => {
    const db = fx.db.pool;
    await addFacility(db, { id: 'big', name: '大院', region: 'north', timezone: 'Asia/Shanghai' });
    for (let room = 1; room <= 100; room++) {
      await addLocation(db, { facility: 'big', id: `r${room}`, kind: 'room' });
      for (const bed of ['a', 'b']) {
        const id = `p${room}${bed}`;
        await addResident(db, { facility: 'big', id, careLevel: 'semi-dependent', location: `r${room}` });
        await setConsent(db, 'big', id, { vitals: true, location: true, familyNotification: false }, 'test');
      }
    }
    await db.query(
      `INSERT INTO devices (id, facility_id, kind, resident_id, secret_hash, expected_interval_s)
       SELECT 'wb-' || id, 'big', 'wristband', id, 'x', 60 FROM residents WHERE facility_id = 'big'`,
    );
    await db.query(
      `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr)
       SELECT now() - make_interval(mins => m), 'wb-' || r.id, m, 'big', r.id, 60 + m
       FROM residents r, generate_series(1, 30) m WHERE r.facility_id = 'big'`,
    );
    let statements = 0;
    const query = db.query.bind(db) as (...args: unknown[]) => unknown;
    const counting = { query: (...args: unknown[]) => (statements++, query(...args)) } as unknown as Queryable;
    const board = await readRoomBoard(counting, ADMIN, 'big', new Date());
    expect(statements).toBe(2);
    expect(board).toHaveLength(100);
    expect(board.flatMap((r) => r.beds)).toHaveLength(200);
    expect(board.every((r) => r.beds.every((b) => b.hr === 61))).toBe(true);
    expect(board.every((r) => r.offline === 2)).toBe(true);
  });
});
