import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '@vigil/cli';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { vigil } from './helpers/processes.js';

// Each test spawns the real CLI several times; on a loaded 2-core machine a spawn can take seconds.
describe('vigil CLI registry commands', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const env = () => ({ DATABASE_URL: db.url });

  beforeAll(async () => {
    db = await createTestDatabase();
    await vigil(
      ['facility', 'add', '--id', 'oak', '--name', 'Oak House', '--region', 'west', '--timezone', 'Europe/Paris'],
      env(),
    );
  });
  afterAll(async () => db?.drop());

  it('registers, lists, rotates and retires a device; the secret is stored only as a sha256 hash', async () => {
    const added = JSON.parse(
      await vigil(['device', 'add', '--facility', 'oak', '--id', 'sm-1', '--kind', 'smoke', '--json'], env()),
    );
    const { rows } = await db.pool.query(`SELECT secret_hash, expected_interval_s FROM devices WHERE id = 'sm-1'`);
    expect(rows[0].secret_hash).toMatch(/^sha256\$/);
    expect(rows[0].secret_hash).not.toContain(added.secret);
    expect(rows[0].expected_interval_s).toBe(300);

    const rotated = JSON.parse(await vigil(['device', 'rotate-secret', 'sm-1', '--json'], env()));
    expect(rotated.secret).not.toBe(added.secret);

    await vigil(['device', 'retire', 'sm-1'], env());
    expect(JSON.parse(await vigil(['device', 'list', '--facility', 'oak', '--json'], env()))).toEqual([]);
    const all = JSON.parse(await vigil(['device', 'list', '--facility', 'oak', '--all', '--json'], env()));
    expect(all).toMatchObject([{ id: 'sm-1', kind: 'smoke', facility: 'oak', retiredAt: expect.any(String) }]);
  });

  it('fails with a typed error and exit code 1 for an unknown facility', async () => {
    const failure = vigil(['device', 'add', '--facility', 'elm', '--id', 'wb-9', '--kind', 'wristband'], env());
    await expect(failure).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('VIGIL_ERR_REGISTRY_NOT_FOUND'),
    });
  });

  it('explains a token without its required scope', async () => {
    const failure = vigil(['token', 'create', '--role', 'caregiver', '--json'], env());
    await expect(failure).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('need --facility') });
  });

  it('refuses an unknown device kind with the list of kinds', async () => {
    const failure = vigil(['device', 'add', '--facility', 'oak', '--id', 'x-1', '--kind', 'toaster'], env());
    await expect(failure).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/kind: .*wristband/) });
  });
});

describe('vigil --help', () => {
  it('describes every command and subcommand', async () => {
    const missing: string[] = [];
    const walk = (command: Awaited<ReturnType<typeof buildProgram>>, path: string) => {
      for (const sub of command.commands) {
        if (!sub.description()) missing.push(`${path} ${sub.name()}`);
        walk(sub, `${path} ${sub.name()}`);
      }
    };
    walk(await buildProgram(), 'vigil');
    expect(missing).toEqual([]);
  });
});
