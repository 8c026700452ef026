import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = new URL('../../web/dist/', import.meta.url);
/** Issue 13's budget for what a wall display downloads. */
const DISPLAY_BUDGET_BYTES = 250 * 1024;

/** Every asset a built page loads (scripts, module preloads, style sheets), gzip-compressed. */
async function gzippedBytes(page: string): Promise<{ total: number; files: Record<string, number> }> {
  const html = await readFile(new URL(`${page}/index.html`, DIST), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const files: Record<string, number> = {};
  for (const asset of new Set(assets)) files[asset] = gzipSync(await readFile(new URL(asset, DIST))).length;
  return { total: Object.values(files).reduce((a, b) => a + b, 0), files };
}

describe('web bundle budgets (the built app)', () => {
  it('the wall display loads at most 250 KB gzip', async () => {
    const { total, files } = await gzippedBytes('display');
    expect(Object.keys(files).length).toBeGreaterThan(0);
    expect(total, JSON.stringify(files)).toBeLessThanOrEqual(DISPLAY_BUDGET_BYTES);
  });
});
