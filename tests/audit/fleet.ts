import type pg from 'pg';
import {
  addDevice,
  addFacility,
  addLocation,
  addResident,
  createPlan,
  scheduleDrill,
  setResidentRisks,
} from '@vigil/store';

/**
 * A fabricated facility with known gaps, audited over two local days in Asia/Shanghai (2026-11-19 and -20):
 * Room 204 has no smoke sensor; the gas sensor and the bed mat bm-17 are silent 02:10–05:40 on 2026-11-19; the
 * electrical monitor is retired at 12:00 on 2026-11-20 and not replaced; the door sensor's battery falls to 15%;
 * resident wang (semi-dependent) has no call button; plan fire-1 is a draft past its review date with a missed drill.
 */
export const FLEET = {
  facility: 'fc',
  from: '2026-11-18T16:00:00.000Z',
  to: '2026-11-20T16:00:00.000Z',
  /** 02:10 and 05:40 local on 2026-11-19. */
  silentFrom: '2026-11-18T18:10:00.000Z',
  silentTo: '2026-11-18T21:40:00.000Z',
  retiredAt: '2026-11-20T04:00:00.000Z',
  residentName: '王秀英',
  hr: 73.25,
} as const;

export async function seedFleet(pool: pg.Pool, region: string): Promise<void> {
  const f = FLEET.facility;
  await addFacility(pool, { id: f, name: '松鹤养老院', region, timezone: 'Asia/Shanghai' });
  for (const [id, kind, name] of [
    ['board-1', 'board', 'Board 1'],
    ['exit-main', 'exit', undefined],
    ['kitchen-1', 'kitchen', 'Kitchen'],
    ['room-204', 'room', 'Room 204'],
    ['room-205', 'room', 'Room 205'],
  ] as const) {
    await addLocation(pool, { facility: f, id, kind, name });
  }
  await addResident(pool, {
    facility: f,
    id: 'wang',
    name: FLEET.residentName,
    careLevel: 'semi-dependent',
    location: 'room-205',
  });
  await addResident(pool, { facility: f, id: 'li-jg', name: '李建国', careLevel: 'self-care' });
  await setResidentRisks(pool, f, 'li-jg', ['wandering']);
  await addResident(pool, { facility: f, id: 'zhao', name: '赵丽', careLevel: 'self-care' });
  const devices = [
    { id: 'bm-17', kind: 'bedmat', resident: 'wang', location: 'room-205', expectedIntervalS: 60 },
    { id: 'dr-1', kind: 'door', location: 'exit-main', expectedIntervalS: 300 },
    { id: 'el-b1', kind: 'electrical', location: 'board-1', expectedIntervalS: 60 },
    { id: 'gas-k1', kind: 'gas', location: 'kitchen-1', expectedIntervalS: 300 },
    { id: 'sm-205', kind: 'smoke', location: 'room-205', expectedIntervalS: 300 },
    { id: 'wb-09', kind: 'wristband', resident: 'li-jg', expectedIntervalS: 60 },
  ] as const;
  for (const d of devices) await addDevice(pool, { facility: f, ...d });
  await pool.query(`UPDATE devices SET created_at = $2::timestamptz - interval '10 days' WHERE facility_id = $1`, [
    f,
    FLEET.from,
  ]);
  await pool.query(`UPDATE devices SET retired_at = $1 WHERE id = 'el-b1'`, [FLEET.retiredAt]);

  const series = (step: string, until: string = FLEET.to) =>
    `generate_series('${FLEET.from}'::timestamptz, '${until}'::timestamptz - interval '1 second', interval '${step}') t`;
  const silent = `NOT (t > '${FLEET.silentFrom}' AND t < '${FLEET.silentTo}')`;
  await pool.query(
    `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, occupied, battery)
     SELECT t, 'bm-17', 1, '${f}', 'wang', true, 0.9 FROM ${series('1 minute')} WHERE ${silent}`,
  );
  await pool.query(
    `INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr, battery)
     SELECT t, 'wb-09', 1, '${f}', 'li-jg', ${FLEET.hr}, 0.8 FROM ${series('1 minute')}`,
  );
  await pool.query(
    `INSERT INTO environment (time, device_id, seq, facility_id, location_id, lel, battery)
     SELECT t, 'gas-k1', 1, '${f}', 'kitchen-1', 0, 0.9 FROM ${series('5 minutes')} WHERE ${silent}`,
  );
  await pool.query(
    `INSERT INTO environment (time, device_id, seq, facility_id, location_id, smoke, battery)
     SELECT t, 'sm-205', 1, '${f}', 'room-205', 0, 0.9 FROM ${series('5 minutes')}`,
  );
  // The door sensor's battery dips to 15% at 03:00 local on 2026-11-20.
  await pool.query(
    `INSERT INTO environment (time, device_id, seq, facility_id, location_id, open, battery)
     SELECT t, 'dr-1', 1, '${f}', 'exit-main', false,
            CASE WHEN t = '2026-11-19T19:00:00Z' THEN 0.15 ELSE 0.9 END FROM ${series('5 minutes')}`,
  );
  await pool.query(
    `INSERT INTO environment (time, device_id, seq, facility_id, location_id, residual_ma)
     SELECT t, 'el-b1', 1, '${f}', 'board-1', 3 FROM ${series('1 minute', FLEET.retiredAt)}`,
  );
  // The smoke sensor was tested at 10:00 local on 2026-11-19; the gas sensor never was.
  await pool.query(
    `INSERT INTO device_events (time, device_id, seq, facility_id, type) VALUES ('2026-11-19T02:00:00Z', 'sm-205', 2, $1, 'test')`,
    [f],
  );
  // A fall of li acknowledged after 45 s and resolved after 300 s; a fire drill acknowledged after 30 s.
  await pool.query(
    `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, resident_id, device_id, detail, drill,
                         raised_at, occurred_at, last_seen_at, acknowledged_at, resolved_at, outcome)
     VALUES (gen_random_uuid(), $1, 'fall', 'critical', 'resolved', 'resident:li-jg', 'li-jg', 'wb-09', 'fall of 李建国, hr 73.25',
             false, '2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z', '2026-11-19T00:00:00Z',
             '2026-11-19T00:00:45Z', '2026-11-19T00:05:00Z', 'assisted'),
            (gen_random_uuid(), $1, 'fire', 'critical', 'resolved', 'drill:1', NULL, NULL, 'drill', true,
             '2026-11-19T06:00:00Z', '2026-11-19T06:00:00Z', '2026-11-19T06:00:00Z',
             '2026-11-19T06:00:30Z', '2026-11-19T06:10:00Z', 'other')`,
    [f],
  );
  await createPlan(pool, f, { id: 'fire-1', kind: 'fire', title: '火灾应急预案', reviewDue: '2026-11-01' });
  await pool.query(`UPDATE emergency_plans SET created_at = '2026-01-01T00:00:00Z' WHERE facility_id = $1`, [f]);
  await scheduleDrill(pool, f, 'fire-1', new Date('2026-11-19T01:00:00Z'));
}
