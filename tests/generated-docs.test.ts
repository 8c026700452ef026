import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderProtocolArtefacts } from '../scripts/protocol-docs.js';

describe('generated protocol docs', () => {
  it('docs/PROTOCOL.md and docs/schemas/ match the contract package (run `npm run gen` after changing it)', async () => {
    for (const [path, expected] of await renderProtocolArtefacts()) {
      const actual = await readFile(new URL(`../${path}`, import.meta.url), 'utf8').catch(() => '(missing)');
      expect(actual, `${path} is stale: run npm run gen`).toBe(expected);
    }
  });
});
