// `npm run gen`: writes docs/PROTOCOL.md and docs/schemas/*.json from the contract package.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderProtocolArtefacts } from './protocol-docs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, content] of await renderProtocolArtefacts()) {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
  console.log(`wrote ${path}`);
}
