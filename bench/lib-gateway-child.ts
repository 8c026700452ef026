// A broker in its own process for the benchmarks (bench/lib-fleet.ts `spawnBroker`), so its CPU and memory
// are measured apart from the load generator. argv[2] = 'full' (the Vigil gateway, env as `vigil gateway`) or
// 'bare' (aedes, in-memory, no hooks). Prints `READY <port> <url>`; answers `metrics` on stdin with one JSON
// line; exits on `close`.
import readline from 'node:readline';
import { Registry } from 'prom-client';
import { configFromEnv, start } from '@vigil/gateway';
import { startBareBroker } from './lib-bare-broker.js';

const registry = new Registry();

const broker =
  process.argv[2] === 'bare'
    ? await startBareBroker()
    : await start({ ...configFromEnv(), port: 0, metrics: registry });
process.stdout.write(`READY ${broker.port} ${broker.url}\n`);
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'metrics') process.stdout.write(`${JSON.stringify(await registry.getMetricsAsJSON())}\n`);
  if (line === 'close') break;
}
await broker.close();
process.exit(0);
