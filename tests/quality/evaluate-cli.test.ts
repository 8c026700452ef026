import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vigil } from '../helpers/processes.js';

describe('vigil evaluate', { timeout: 120_000 }, () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-evaluate-'))));
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('passes on a caught fall, prints the table and writes the report', async () => {
    const out = path.join(dir, 'fall.json');
    const table = await vigil(['evaluate', '--scenario', 'fall-r1-day', '--out', out]);
    expect(table).toMatch(/\| fall +\| 1 +\| 100 % +\|/);
    expect(table).toContain('PASS');
    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report).toMatchObject({ scenarios: { danger: 1, nuisance: 0, normal: 0 }, failures: [] });
    expect(report.overall).toMatchObject({ events: 1, detected: 1, sensitivity: 1 });
  });

  it('exits 1 when a nuisance exceeds its budget, and not with a budget that allows it', async () => {
    // Restless sleep at high fall risk raises nothing with the bed-exit confirmation, one alert per flicker without.
    const out = path.join(dir, 'restless.json');
    const args = ['evaluate', '--scenario', 'restless-sleep-r2', '--json', '--out', out];
    const tuned = JSON.parse(await vigil(args));
    expect(tuned.overall.falseOnNuisance).toBe(0);
    const untuned = [...args, '--settings', '{"bedExitNight":{"confirmMs":0}}'];
    await expect(vigil(untuned)).rejects.toMatchObject({ code: 1 });
    const failed = JSON.parse(await readFile(out, 'utf8'));
    expect(failed.overall.falseOnNuisance).toBeGreaterThan(0);
    expect(failed.failures).toEqual([
      `${failed.overall.falseOnNuisance} false alerts on nuisance scenarios (budget 0)`,
    ]);
    const budget = String(failed.overall.falseOnNuisance);
    const allowed = JSON.parse(await vigil([...untuned, '--nuisance-budget', budget]));
    expect(allowed.overall.falseOnNuisance).toBe(failed.overall.falseOnNuisance);
    expect(allowed.failures).toEqual([]);
  });

  it('refuses an unknown scenario and a negative budget with a usage error', async () => {
    await expect(vigil(['evaluate', '--scenario', 'nope'])).rejects.toMatchObject({ code: 1 });
    await expect(vigil(['evaluate', '--budget', '-1'])).rejects.toMatchObject({ code: 1 });
    await expect(vigil(['evaluate', '--settings', '{"bedExitNight":{"confirmMz":0}}'])).rejects.toMatchObject({
      code: 1,
    });
  });
});
