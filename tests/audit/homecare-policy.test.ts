import {
  addDevice,
  addDwelling,
  addFacility,
  addHomeKit,
  addResident,
  coverageAudit,
  getCoveragePolicy,
  setCoveragePolicy,
  setFacilityKind,
  DEFAULT_POLICY,
  HOME_CARE_POLICY,
} from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const STATION = 'st-haidian';
/** The hour after the station was registered (its devices exist from then on). */
const period = () => ({
  facility: STATION,
  from: new Date(Date.now() - 1_000).toISOString(),
  to: new Date(Date.now() + 3_600_000).toISOString(),
  locale: 'en' as const,
});

/**
 * A home-care station's audit applies its home kit (docs/homecare.md "Home kit") until it stores a policy: 王秀英's
 * dwelling has the whole kit; 李桂兰's only a smoke alarm.
 */
describe('coverage audit of a home-care station', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await addFacility(db.pool, {
      id: STATION,
      name: '海淀区居家养老服务站',
      region: 'beijing',
      timezone: 'Asia/Shanghai',
    });
    await setFacilityKind(db.pool, STATION, 'home-care');
    for (const [id, resident, name] of [
      ['d-1', 'r-wang', '王秀英'],
      ['d-2', 'r-li', '李桂兰'],
    ] as const) {
      await addDwelling(db.pool, { facility: STATION, id, address: `海淀区学院路 ${id}`, district: '海淀区' });
      await addResident(db.pool, { facility: STATION, id: resident, name, careLevel: 'self-care', location: id });
    }
    await addHomeKit(db.pool, { facility: STATION, dwelling: 'd-1', resident: 'r-wang' });
    await addDevice(db.pool, { facility: STATION, id: 'd-2-smoke', kind: 'smoke', location: 'd-2' });
  });
  afterAll(() => db?.drop());

  it('requires the home kit of every dwelling and its resident, whatever the care level', async () => {
    const { policy, version } = await getCoveragePolicy(db.pool, STATION);
    expect(version).toBe(0);
    expect(policy).toEqual(HOME_CARE_POLICY);
    const report = await coverageAudit(db.pool, period());
    const missing = report.requirements.filter((r) => !r.present).map((r) => `${r.subject}/${r.device}`);
    expect(missing.sort()).toEqual(['d-2/door', 'd-2/gas', 'd-2/pir', 'r-li/bedmat', 'r-li/button']);
    const present = report.requirements.filter((r) => r.present).map((r) => `${r.subject}/${r.device}`);
    expect(present.sort()).toEqual([
      'd-1/door',
      'd-1/gas',
      'd-1/pir',
      'd-1/smoke',
      'd-2/smoke',
      'r-wang/bedmat',
      'r-wang/button',
    ]);
  });

  it("applies the station's own policy once stored, and a care home's default stays the care homes'", async () => {
    await setCoveragePolicy(db.pool, STATION, { places: [{ kind: 'dwelling', devices: ['smoke'] }], residents: [] });
    const report = await coverageAudit(db.pool, period());
    expect(report.policy.version).toBe(1);
    expect(report.requirements.every((r) => r.present && r.device === 'smoke')).toBe(true);
    expect((await getCoveragePolicy(db.pool, STATION, 0)).policy).toEqual(HOME_CARE_POLICY);
    await addFacility(db.pool, { id: 'care-home', name: '松鹤养老院', region: 'beijing', timezone: 'Asia/Shanghai' });
    expect((await getCoveragePolicy(db.pool, 'care-home')).policy).toEqual(DEFAULT_POLICY);
  });
});
