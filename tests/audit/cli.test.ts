import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { vigil } from '../helpers/processes.js';
import { FLEET, seedFleet } from './fleet.js';

/** `vigil coverage` prints the same report as the api, in each format. */
describe('vigil coverage', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFleet(db.pool, 'north');
  });
  afterAll(() => db?.drop());
  const run = (format: string, locale: string) =>
    vigil(
      ['coverage', '--facility', 'fc', '--from', FLEET.from, '--to', FLEET.to, '--format', format, '--locale', locale],
      {
        DATABASE_URL: db.url,
      },
    );

  it('prints the CSV, the HTML and the JSON of the audit', async () => {
    const expected = (name: string) => readFile(new URL(`expected/${name}`, import.meta.url), 'utf8');
    expect(await run('csv', 'zh-CN')).toBe(await expected('fc.zh-CN.csv'));
    expect(await run('html', 'en')).toBe(await expected('fc.en.html'));
    expect(JSON.parse(await run('json', 'en'))).toMatchObject({
      score: 70.1,
      trend: [{ score: 71.4 }, { score: 68.8 }],
    });
  });

  it('refuses an unknown format', async () => {
    await expect(run('pdf', 'en')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--format') });
  });
});
