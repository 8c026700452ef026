import {
  auditQueryPlans,
  coverageAudit,
  coverageScore,
  deleteCoveragePolicy,
  getCoveragePolicy,
  listCoveragePolicyVersions,
  setCoveragePolicy,
  DEFAULT_POLICY,
} from '@vigil/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { FLEET, seedFleet } from './fleet.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const query = { facility: FLEET.facility, from: FLEET.from, to: FLEET.to, now: NOW };

/** The audit of a fabricated facility with known gaps (tests/coverage/fleet.ts). */
describe('coverage audit', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFleet(db.pool, 'north');
  });
  afterAll(() => db?.drop());

  it('finds exactly the known gaps, in zh-CN by default', async () => {
    const report = await coverageAudit(db.pool, query);
    expect(report.policy).toEqual({ version: 0, createdAt: null });
    expect(report.findings.map((f) => f.text)).toEqual([
      'Board 1：电气火灾监控 el-b1 于 2026-11-20 退役，未更换',
      'Room 204：无烟感探测器',
      '住户 wang：无呼叫按钮',
      '床垫传感器 bm-17 无数据 2026-11-19 02:10–05:40',
      '门磁 dr-1：2026-11-20 03:00 起电量低（最低 15%）',
      '燃气探测器 gas-k1 无数据 2026-11-19 02:10–05:40',
      '燃气探测器 gas-k1：近 90 天无功能测试',
      '预案 fire-1：未上传文档',
      '预案 fire-1：备案状态为草稿',
      '预案 fire-1：评审已于 2026-11-01 到期',
      '预案 fire-1：2026-11-19 计划的演练未进行',
      '预案 fire-1：近 180 天无演练',
    ]);
  });

  it('scores the covered share of every required device, overall and per local day', async () => {
    const report = await coverageAudit(db.pool, { ...query, locale: 'en' });
    const gas = 1 - 3.5 / 48;
    expect(report.requirements.map((r) => [r.subject, r.device, r.present, Number(r.coveredShare.toFixed(6))])).toEqual(
      [
        ['board-1', 'electrical', false, 0.75],
        ['exit-main', 'door', true, 1],
        ['kitchen-1', 'gas', true, Number(gas.toFixed(6))],
        ['room-204', 'smoke', false, 0],
        ['room-205', 'smoke', true, 1],
        ['li-jg', 'wristband', true, 1],
        ['wang', 'bedmat', true, Number(gas.toFixed(6))],
        ['wang', 'button', false, 0],
      ],
    );
    expect(report.score).toBe(70.1);
    expect(report.trend).toEqual([
      { day: '2026-11-19', score: 71.4 },
      { day: '2026-11-20', score: 68.8 },
    ]);
    expect(await coverageScore(db.pool, FLEET.facility, new Date(FLEET.from), new Date(FLEET.to))).toBe(70.1);
    expect(report.findings[3]!.text).toBe('bed mat bm-17 silent 02:10–05:40 on 2026-11-19');
    expect(report.findings[1]!.text).toBe('Room 204: no smoke sensor');
    const bedmat = report.devices.find((d) => d.device === 'bm-17')!;
    expect(bedmat.silentGaps).toEqual([{ from: FLEET.silentFrom, to: FLEET.silentTo, seconds: 3.5 * 3600 }]);
    expect(report.devices.find((d) => d.device === 'sm-205')!.lastTest).toBe('2026-11-19T02:00:00.000Z');
    expect(report.alerts).toEqual([
      expect.objectContaining({
        rule: 'fall',
        drill: false,
        count: 1,
        acknowledged: 1,
        medianSecondsToAcknowledge: 45,
      }),
      expect.objectContaining({
        rule: 'fire',
        drill: true,
        count: 1,
        medianSecondsToAcknowledge: 30,
        medianSecondsToResolve: 600,
      }),
    ]);
  });

  it('gives regulators pseudonyms and never a name or a vital sign', async () => {
    const report = await coverageAudit(db.pool, { ...query, pseudonymous: true });
    const { rows } = await db.pool.query(`SELECT id, pseudonym FROM residents WHERE facility_id = $1`, [
      FLEET.facility,
    ]);
    const text = JSON.stringify(report);
    for (const r of rows) expect(text).not.toMatch(new RegExp(`"${r.id}"|住户 ${r.id}`));
    expect(text).toContain(rows.find((r) => r.id === 'wang')!.pseudonym);
    expect(text).not.toContain(FLEET.residentName);
    expect(text).not.toContain(String(FLEET.hr));
  });

  it('applies a new version on every edit, and an old audit names the version it applied', async () => {
    const before = await coverageAudit(db.pool, query);
    const v1 = await setCoveragePolicy(db.pool, FLEET.facility, {
      ...DEFAULT_POLICY,
      places: DEFAULT_POLICY.places.filter((p) => p.kind !== 'room'),
    });
    expect(v1.version).toBe(1);
    const v2 = await setCoveragePolicy(db.pool, FLEET.facility, { ...v1.policy, lowBattery: 0.1 });
    expect(v2.version).toBe(2);
    const now = await coverageAudit(db.pool, query);
    expect(now.policy.version).toBe(2);
    expect(now.findings.map((f) => f.code)).not.toContain('place-missing');
    expect(now.findings.map((f) => f.code)).not.toContain('low-battery');
    const old = await coverageAudit(db.pool, { ...query, policyVersion: 1 });
    expect(old.policy.version).toBe(1);
    expect(old.findings.map((f) => f.code)).toContain('low-battery');
    expect(await coverageAudit(db.pool, { ...query, policyVersion: 0 })).toEqual(before);
    expect((await getCoveragePolicy(db.pool, FLEET.facility, 1)).policy.places).toHaveLength(3);
    await expect(db.pool.query(`UPDATE coverage_policy_versions SET policy = '{}'`)).rejects.toThrow(/append-only/);
  });

  it('applies the default once the policy is deleted; a superseded version still applies when named', async () => {
    const defaults = await coverageAudit(db.pool, { ...query, policyVersion: 0 });
    const current = await getCoveragePolicy(db.pool, FLEET.facility);
    expect(current.version).toBeGreaterThan(0);
    await deleteCoveragePolicy(db.pool, FLEET.facility);
    const deletion = current.version + 1;
    const listed = await listCoveragePolicyVersions(db.pool, FLEET.facility);
    expect(listed.at(-1)).toMatchObject({ version: deletion, policy: null });
    // Back on the default, named as version 0.
    expect(await coverageAudit(db.pool, query)).toEqual(defaults);
    await expect(coverageAudit(db.pool, { ...query, policyVersion: deletion })).rejects.toMatchObject({
      code: 'VIGIL_ERR_REGISTRY_NOT_FOUND',
      message: expect.stringMatching(/deletion/),
    });
    const superseded = await coverageAudit(db.pool, { ...query, policyVersion: current.version });
    expect(superseded.policy.version).toBe(current.version);
    expect(superseded.findings.map((f) => f.code)).not.toContain('place-missing');
    // A policy stored later continues the numbering after the deletion.
    expect((await setCoveragePolicy(db.pool, FLEET.facility, DEFAULT_POLICY)).version).toBe(deletion + 1);
  });

  it('reads only the chunks of the period (chunk exclusion)', async () => {
    const chunksOf = async (table: string) =>
      (await db.pool.query(`SELECT show_chunks($1::regclass)::text AS c`, [table])).rows.map((r) =>
        r.c.replace(/^.*\./, ''),
      );
    const [vitals, environment] = [await chunksOf('vitals'), await chunksOf('environment')];
    // The fleet's readings span three UTC days, so three daily chunks each.
    expect([vitals.length, environment.length]).toEqual([3, 3]);
    const plans = await auditQueryPlans(
      db.pool,
      FLEET.facility,
      new Date('2026-11-19T01:00:00Z'),
      new Date('2026-11-19T23:00:00Z'),
    );
    for (const plan of plans) {
      expect(plan.chunks.filter((c) => vitals.includes(c))).toEqual([vitals[1]]);
      expect(plan.chunks.filter((c) => environment.includes(c))).toEqual([environment[1]]);
    }
  });
});
