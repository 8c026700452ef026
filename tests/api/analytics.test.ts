import { addDevice, addFacility, createToken } from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertSeededAlert, shanghai, type SeededAlert } from '../helpers/seeded-alerts.js';
import { startApiFixture, type ApiFixture } from './fixture.js';

const HOME = 'sh1';

type Seeded = Omit<SeededAlert, 'raised'> & { raised: string };

/**
 * Alerts with known times around the default shifts' boundaries (早班 07:00, 中班 15:00, 夜班 23:00, across
 * midnight), a drill, one before the period and one of another facility.
 */
const SEEDED: Record<string, Seeded> = {
  lastOfMiddle: {
    raised: '2026-11-10T22:59:59',
    rule: 'fall',
    device: 'wb-sh',
    ack: 30,
    presence: 90,
    resolve: 300,
    outcome: 'assisted',
  },
  firstOfNight: {
    raised: '2026-11-10T23:00:00',
    rule: 'fall',
    device: 'wb-sh',
    ack: 60,
    presence: 120,
    resolve: 600,
    outcome: 'false_alarm',
  },
  afterMidnight: {
    raised: '2026-11-11T00:30:00',
    rule: 'sos',
    device: 'btn-sh',
    ack: 20,
    resolve: 400,
    outcome: 'device_fault',
  },
  lastOfNight: { raised: '2026-11-11T06:59:59', rule: 'fall', device: 'pir-sh', ack: 45 },
  firstOfEarly: {
    raised: '2026-11-11T07:00:00',
    rule: 'fall',
    device: 'pir-sh',
    ack: 10,
    presence: 50,
    resolve: 100,
    outcome: 'false_alarm',
  },
  drill: {
    raised: '2026-11-11T10:00:00',
    rule: 'fire',
    device: 'wb-sh',
    drill: true,
    ack: 15,
    presence: 40,
    resolve: 200,
    outcome: 'other',
  },
  beforePeriod: {
    raised: '2026-11-01T12:00:00',
    rule: 'fall',
    device: 'wb-sh',
    ack: 5,
    outcome: 'false_alarm',
    resolve: 9,
  },
};
const FROM = shanghai('2026-11-10T00:00:00').toISOString();
const TO = shanghai('2026-11-12T00:00:00').toISOString();

const insertAlert = (fx: ApiFixture, facility: string, a: Seeded) =>
  insertSeededAlert(fx.db.pool, facility, { ...a, raised: shanghai(a.raised) });

type Group = { drill: boolean; by: string; key: string | null; count: number; [k: string]: unknown };

describe('response and false-alarm analytics (api + SQL)', () => {
  let fx: ApiFixture;
  let officer: string;
  let caregiver: string;

  beforeAll(async () => {
    fx = await startApiFixture();
    const db = fx.db.pool;
    await addFacility(db, { id: HOME, name: '松鹤养老院', region: 'north', timezone: 'Asia/Shanghai' });
    await addDevice(db, { facility: HOME, id: 'wb-sh', kind: 'wristband' });
    await addDevice(db, { facility: HOME, id: 'btn-sh', kind: 'button' });
    await addDevice(db, { facility: HOME, id: 'pir-sh', kind: 'pir' });
    officer = (await createToken(db, { role: 'safety-officer', facility: HOME, label: '刘主管' })).token;
    caregiver = (await createToken(db, { role: 'caregiver', facility: HOME, label: '张护士' })).token;
    for (const a of Object.values(SEEDED)) await insertAlert(fx, HOME, a);
    // The same times in another facility must not count.
    await insertAlert(fx, 'f1', { ...SEEDED.firstOfNight!, device: 'wb-f1' });
  });
  afterAll(async () => {
    await fx?.close();
  });

  const analytics = async (token: string, path = 'response', query: Record<string, string> = {}) =>
    fx.call(token, `/api/v1/analytics/${path}?${new URLSearchParams({ from: FROM, to: TO, ...query })}`);
  const group = (groups: Group[], drill: boolean, by: string, key: string | null) =>
    groups.find((g) => g.drill === drill && g.by === by && g.key === key);

  /** The same statistics straight from SQL, with the default shifts written as hour ranges in Asia/Shanghai. */
  async function sqlGroups(): Promise<Map<string, Record<string, unknown>>> {
    const { rows } = await fx.db.pool.query(
      `WITH t AS (
         SELECT drill, rule,
                CASE WHEN h >= 7 AND h < 15 THEN 'early' WHEN h >= 15 AND h < 23 THEN 'middle' ELSE 'night' END AS shift,
                extract(epoch FROM acknowledged_at - raised_at)::float8 AS ack,
                extract(epoch FROM present_at - raised_at)::float8 AS presence,
                extract(epoch FROM resolved_at - raised_at)::float8 AS resolve
           FROM (SELECT *, extract(hour FROM raised_at AT TIME ZONE 'Asia/Shanghai') AS h FROM alerts
                  WHERE facility_id = $1 AND raised_at >= $2 AND raised_at < $3) a)
       SELECT drill, shift, count(*)::int AS count, count(ack)::int AS acknowledged,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ack) AS ack_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY ack) AS ack_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY presence) AS presence_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve) AS resolve_p90
         FROM t GROUP BY drill, shift`,
      [HOME, FROM, TO],
    );
    return new Map(rows.map((r) => [`${r.drill}/${r.shift}`, r]));
  }

  it('counts per shift across midnight in the facility time zone, drills apart, equal to SQL percentiles', async () => {
    const res = await analytics(officer);
    expect(res.status).toBe(200);
    expect(res.body.timezone).toBe('Asia/Shanghai');
    expect(res.body.shifts.map((s: { name: string }) => s.name)).toEqual(['早班', '中班', '夜班']);
    const groups = res.body.groups as Group[];
    // 22:59:59 is the middle shift's last second, 23:00 the night's first, 06:59:59 still night, 07:00 early.
    expect(group(groups, false, 'shift', 'middle')?.count).toBe(1);
    expect(group(groups, false, 'shift', 'night')?.count).toBe(3);
    expect(group(groups, false, 'shift', 'early')?.count).toBe(1);
    expect(group(groups, true, 'shift', 'early')?.count).toBe(1);
    expect(group(groups, false, 'all', null)).toMatchObject({ count: 5, acknowledged: 5, present: 3, resolved: 4 });
    expect(group(groups, true, 'all', null)).toMatchObject({ count: 1, toAcknowledge: { median: 15, p90: 15 } });
    // Night: acknowledged after 60, 20 and 45 s; present once after 120 s; resolved after 600 and 400 s.
    expect(group(groups, false, 'shift', 'night')).toMatchObject({
      acknowledged: 3,
      present: 1,
      resolved: 2,
      toAcknowledge: { median: 45, p90: 57 },
      toPresence: { median: 120, p90: 120 },
      toResolve: { median: 500, p90: 580 },
    });
    expect(group(groups, false, 'rule', 'fall')).toMatchObject({ count: 4, toAcknowledge: { median: 37.5 } });
    expect(group(groups, false, 'rule', 'sos')).toMatchObject({ count: 1, toResolve: { median: 400 } });

    const sql = await sqlGroups();
    for (const g of groups.filter((x) => x.by === 'shift')) {
      const row = sql.get(`${g.drill}/${g.key}`)!;
      expect(g).toMatchObject({
        count: row.count,
        acknowledged: row.acknowledged,
        toAcknowledge: { median: row.ack_median, p90: row.ack_p90 },
        toPresence: { median: row.presence_median },
        toResolve: { p90: row.resolve_p90 },
      });
    }
    expect(groups.filter((x) => x.by === 'shift')).toHaveLength(sql.size);
  });

  it('groups by the facility’s own shifts once an officer replaces them, audited; refuses shifts with a gap', async () => {
    expect((await fx.call(caregiver, `/api/v1/facilities/${HOME}/shifts`)).body.configured).toBe(false);
    const shifts = [
      { id: 'day', name: '白班', starts: '08:00', ends: '20:00' },
      { id: 'night', name: '夜班', starts: '20:00', ends: '08:00' },
    ];
    const put = (token: string, body: unknown) =>
      fx.call(token, `/api/v1/facilities/${HOME}/shifts`, { method: 'PUT', body: JSON.stringify(body) });
    const gap = await put(officer, { shifts: [shifts[0], { ...shifts[1], starts: '21:00' }] });
    expect(gap.status).toBe(400);
    expect(gap.body.error.message).toMatch(/without gap or overlap/);
    expect((await put(caregiver, { shifts })).status).toBe(403);

    const replaced = await put(officer, { shifts });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ shifts, configured: true });
    const { rows } = await fx.db.pool.query(
      `SELECT actor, details FROM audit_log WHERE action = 'facility.shifts.replace' AND facility_id = $1`,
      [HOME],
    );
    expect(rows).toEqual([
      { actor: expect.any(String), details: { shifts: ['day 08:00-20:00', 'night 20:00-08:00'] } },
    ]);

    const groups = (await analytics(officer)).body.groups as Group[];
    // 07:00 is now night (until 08:00); 10:00 is day.
    expect(group(groups, false, 'shift', 'night')?.count).toBe(5);
    expect(group(groups, false, 'shift', 'day')).toBeUndefined();
    expect(group(groups, true, 'shift', 'day')?.count).toBe(1);
    await put(officer, {
      shifts: [
        { id: 'early', name: '早班', starts: '07:00', ends: '15:00' },
        { id: 'middle', name: '中班', starts: '15:00', ends: '23:00' },
        { id: 'night', name: '夜班', starts: '23:00', ends: '07:00' },
      ],
    });
  });

  it('ranks false alarms per rule and per device from the outcomes, drills and other periods left out', async () => {
    const res = await analytics(officer, 'false-alarms');
    expect(res.status).toBe(200);
    expect(res.body.byRule).toEqual([
      { rule: 'fall', count: 4, judged: 3, falseAlarms: 2, deviceFaults: 0, share: 2 / 3 },
      { rule: 'sos', count: 1, judged: 1, falseAlarms: 0, deviceFaults: 1, share: 1 },
    ]);
    expect(res.body.byDevice.map((d: { device: string; share: number }) => [d.device, d.share])).toEqual([
      ['pir-sh', 1],
      ['btn-sh', 1],
      ['wb-sh', 0.5],
    ]);
    const { rows } = await fx.db.pool.query(
      `SELECT count(*) FILTER (WHERE outcome IN ('false_alarm', 'device_fault'))::int AS noisy FROM alerts
        WHERE facility_id = $1 AND NOT drill AND raised_at >= $2 AND raised_at < $3`,
      [HOME, FROM, TO],
    );
    const noisy = (res.body.byRule as { falseAlarms: number; deviceFaults: number }[]).reduce(
      (n, r) => n + r.falseAlarms + r.deviceFaults,
      0,
    );
    expect(noisy).toBe(rows[0].noisy);
  });

  it('gives a regulator the false-alarm rate of every facility of the region, counts only, the highest first', async () => {
    const res = await analytics(fx.tokens.regulator, 'false-alarms/facilities');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: FROM,
      to: TO,
      facilities: [
        {
          facility: 'f1',
          name: expect.any(String),
          count: 1,
          judged: 1,
          falseAlarms: 1,
          deviceFaults: 0,
          share: 1,
          noisiestRule: 'fall',
        },
        {
          facility: HOME,
          name: '松鹤养老院',
          count: 5,
          judged: 4,
          falseAlarms: 2,
          deviceFaults: 1,
          share: 0.75,
          noisiestRule: 'fall',
        },
        {
          facility: 'f2',
          name: 'Haus Eiche',
          count: 0,
          judged: 0,
          falseAlarms: 0,
          deviceFaults: 0,
          share: null,
          noisiestRule: null,
        },
      ],
    });
    // The same from SQL for the facility with the most alerts.
    const { rows } = await fx.db.pool.query(
      `SELECT count(*)::int AS count, count(*) FILTER (WHERE outcome IN ('false_alarm', 'device_fault'))::int AS noisy,
              count(*) FILTER (WHERE outcome IS NOT NULL AND outcome <> 'auto_cleared')::int AS judged
         FROM alerts WHERE facility_id = $1 AND NOT drill AND raised_at >= $2 AND raised_at < $3`,
      [HOME, FROM, TO],
    );
    expect(rows).toEqual([{ count: 5, noisy: 3, judged: 4 }]);
    expect(JSON.stringify(res.body)).not.toMatch(/wb-|btn-|pir-|anna/i);
    // Another region's regulator sees only theirs; an officer only their facility; a caregiver nothing.
    const south = await analytics(fx.tokens.regulatorSouth, 'false-alarms/facilities');
    expect(south.body.facilities.map((f: { facility: string }) => f.facility)).toEqual(['f3']);
    const own = await analytics(officer, 'false-alarms/facilities');
    expect(own.body.facilities.map((f: { facility: string }) => f.facility)).toEqual([HOME]);
    expect((await analytics(caregiver, 'false-alarms/facilities')).status).toBe(403);
    const csv = await fx.call(fx.tokens.regulator, `/api/v1/analytics/false-alarms/facilities?from=${FROM}&to=${TO}`, {
      headers: { accept: 'text/csv' },
    });
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('facility,name,count,judged,falseAlarms,deviceFaults,share,noisiestRule');
    expect(lines).toContain(`${HOME},松鹤养老院,5,4,2,1,0.75,fall`);
    expect((await analytics(fx.tokens.regulator, 'false-alarms/facilities', { from: TO, to: FROM })).status).toBe(400);
  });

  it('answers CSV, regulators pseudonymously, and 404 outside the scope, 400 for a bad period', async () => {
    const csv = await fx.call(officer, `/api/v1/analytics/response?from=${FROM}&to=${TO}`, {
      headers: { accept: 'text/csv' },
    });
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'drill,by,key,count,acknowledged,present,resolved,toAcknowledgeMedian,toAcknowledgeP90,toPresenceMedian,toPresenceP90,toResolveMedian,toResolveP90',
    );
    expect(lines).toContain('false,shift,night,3,3,1,2,45,57,120,120,500,580');
    const faCsv = await fx.call(officer, `/api/v1/analytics/false-alarms?from=${FROM}&to=${TO}`, {
      headers: { accept: 'text/csv' },
    });
    expect((faCsv.body as string).split('\r\n')).toContain('device,pir-sh,pir,2,1,1,0,1');

    const regulator = await analytics(fx.tokens.regulator, 'false-alarms', { facility: HOME });
    expect(regulator.status).toBe(200);
    expect(regulator.body.byDevice.map((d: { device: string }) => d.device)).toEqual([
      'pir-1',
      'button-1',
      'wristband-1',
    ]);
    expect(JSON.stringify(regulator.body)).not.toMatch(/wb-sh|btn-sh|pir-sh/);
    expect((await analytics(fx.tokens.regulator, 'response', { facility: HOME })).body.groups.length).toBeGreaterThan(
      0,
    );

    expect((await analytics(fx.tokens.regulatorSouth, 'response', { facility: HOME })).status).toBe(404);
    expect((await analytics(fx.tokens.officer, 'response', { facility: HOME })).status).toBe(404);
    expect((await analytics(fx.tokens.regulator, 'response')).status).toBe(400);
    const backwards = await analytics(officer, 'response', { from: TO, to: FROM });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/before/);
  });
});
