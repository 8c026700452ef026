// `npm run bench [-- name …]`: runs bench/<name>.ts for each name (all when none), prints a table per
// benchmark and writes bench/results/<name>.json. Benchmarks never run in CI.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { formatTable, type Bench } from './report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const NOT_BENCHES = new Set(['run', 'report']);

async function available(): Promise<string[]> {
  return (await readdir(here))
    .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
    .map((f) => f.slice(0, -3))
    .filter((name) => !NOT_BENCHES.has(name) && !name.startsWith('lib-'));
}

const all = await available();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
await mkdir(new URL('results/', import.meta.url), { recursive: true });
for (const name of wanted.length ? wanted : all) {
  const bench = (await import(`./${name}.ts`)) as { default: Bench };
  const result = await bench.default();
  console.log(`${formatTable(result)}\n`);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  await writeFile(
    new URL(`results/${name}.json`, import.meta.url),
    `${JSON.stringify({ ...result, machine, at: new Date().toISOString() }, null, 2)}\n`,
  );
}
