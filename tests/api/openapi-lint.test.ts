import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './fixture.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The OpenAPI document as a real api serves it, linted by spectral with `spectral:oas` (.spectral.yaml), offline. */
describe('OpenAPI document', () => {
  let fx: ApiFixture;
  let dir: string;
  beforeAll(async () => {
    fx = await startApiFixture();
    dir = await mkdtemp(join(tmpdir(), 'vigil-openapi-'));
  });
  afterAll(async () => {
    await fx?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('declares servers, tags and an operationId, tag and description on every operation', async () => {
    const doc = (await fx.call(null, '/api/v1/openapi.json')).body;
    expect(doc.servers).toEqual([{ url: fx.api.url, description: 'this api' }]);
    const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
    for (const [path, methods] of Object.entries(
      doc.paths as Record<string, Record<string, Record<string, unknown>>>,
    )) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        expect(op.operationId, where).toEqual(expect.any(String));
        expect(op.description, where).toEqual(expect.any(String));
        expect(
          (op.tags as string[]).every((tag) => tags.has(tag)),
          where,
        ).toBe(true);
      }
    }
  });

  it('is clean under spectral:oas', { timeout: 120_000 }, async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify((await fx.call(null, '/api/v1/openapi.json')).body));
    const spectral = join(ROOT, 'node_modules/.bin/spectral');
    const report = join(dir, 'report.json');
    const args = ['lint', '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--output', report];
    // Spectral exits non-zero when it finds problems; the report says which.
    await promisify(execFile)(spectral, [...args, '--fail-severity', 'hint', file], { cwd: ROOT }).catch(
      () => undefined,
    );
    const problems = JSON.parse(await readFile(report, 'utf8')) as { code: string; message: string; path: string[] }[];
    expect(problems.map((p) => `${p.code}: ${p.message} at ${p.path.join('.')}`)).toEqual([]);
  });
});
