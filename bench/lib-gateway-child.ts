// A broker in its own process for bench/gateway.ts, so its CPU and memory are measured apart from the load
// generator. argv[2] = 'full' (the Vigil gateway, env as `vigil gateway`) or 'bare' (aedes, in-memory, no
// hooks). Prints `READY <port>`; answers `metrics` on stdin with one JSON line; exits on `close`.
import net from 'node:net';
import readline from 'node:readline';
import { Aedes } from 'aedes';
import { Registry } from 'prom-client';
import { configFromEnv, start } from '@vigil/gateway';

const registry = new Registry();

async function startBare(): Promise<{ port: number; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server = net.createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const broker =
  process.argv[2] === 'bare' ? await startBare() : await start({ ...configFromEnv(), port: 0, metrics: registry });
process.stdout.write(`READY ${broker.port}\n`);
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line === 'metrics') process.stdout.write(`${JSON.stringify(await registry.getMetricsAsJSON())}\n`);
  if (line === 'close') break;
}
await broker.close();
process.exit(0);
