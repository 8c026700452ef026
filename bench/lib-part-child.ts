// One part of a benchmark (bench/alerts.ts, bench/ingest.ts) in a process of its own, as a deployment runs
// them (one service per container): argv[2] = gateway | ingest | alerts | api | load | bare | counter | http |
// fastify.
// Options arrive as JSON in BENCH_PART_OPTIONS. Prints one JSON line `{"ready": …}`, then answers one JSON
// command per stdin line with one JSON line on stdout:
//   {"cmd":"stats"}                 event-loop delay and CPU since the previous stats, and the part's metrics
//   {"cmd":"progress"}              (ingest) its pipeline counters; (counter) messages received
//   {"cmd":"flood","count":N}       (load) N readings as fast as the broker takes them; answers once all are acked
//   {"cmd":"rate","perSecond":R}    (load) background readings at R msg/s until {"cmd":"stop"}
//   {"cmd":"close"}                 closes the part and exits
// `bare` is bare aedes (bench/lib-bare-broker.ts); `counter` a plain mqtt.js subscriber that counts; `http` a bare
// node:http server answering every request with the same `body` and `headers` (bench/api.ts's ceiling), `fastify`
// one fastify route doing the same.
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import readline from 'node:readline';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { deviceTopic } from '@vigil/protocol';
import { startBareBroker } from './lib-bare-broker.js';
import { countingSubscriber, type CounterOptions } from './lib-counter.js';

interface Part {
  ready: Record<string, unknown>;
  close(): Promise<unknown>;
  commands?: Record<string, (command: Record<string, number>) => Promise<unknown> | unknown>;
}

export interface LoadOptions {
  url: string;
  facility: string;
  devices: { id: string; secret: string }[];
}

const role = process.argv[2];
const options = JSON.parse(process.env.BENCH_PART_OPTIONS ?? '{}');
const registry = new Registry();
const part = await startPart();

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
let cpuSince = process.cpuUsage();
let wallSince = performance.now();

/** Event-loop delay percentiles (ms), CPU share of one core, and the part's metrics, since the previous call. */
async function stats() {
  const cpu = process.cpuUsage(cpuSince);
  const wall = performance.now() - wallSince;
  const ms = (ns: number) => ns / 1e6;
  const result = {
    loopDelayMs: {
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
    },
    cpu: (cpu.user + cpu.system) / 1000 / wall,
    metrics: await registry.getMetricsAsJSON(),
  };
  delay.reset();
  registry.resetMetrics();
  cpuSince = process.cpuUsage();
  wallSince = performance.now();
  return result;
}

async function startPart(): Promise<Part> {
  switch (role) {
    case 'gateway': {
      const { start } = await import('@vigil/gateway');
      const gateway = await start({ ...options, metrics: registry });
      return { ready: { url: gateway.url }, close: () => gateway.close() };
    }
    case 'ingest': {
      const { start } = await import('@vigil/ingest');
      const ingest = await start({ ...options, metrics: registry });
      return { ready: {}, close: () => ingest.close(), commands: { progress: () => ingest.stats() } };
    }
    case 'alerts': {
      const { start } = await import('@vigil/alerts');
      const alerts = await start({ ...options, metrics: registry });
      return { ready: {}, close: () => alerts.close() };
    }
    case 'api': {
      const { start } = await import('@vigil/api');
      const api = await start({ ...options, metrics: registry });
      return { ready: { url: api.url }, close: () => api.close() };
    }
    case 'load':
      return startLoad(options as LoadOptions);
    case 'bare': {
      const bare = await startBareBroker();
      return { ready: { url: bare.url }, close: () => bare.close() };
    }
    case 'counter': {
      const counter = await countingSubscriber(options as CounterOptions);
      return { ready: {}, close: counter.close, commands: { progress: () => ({ received: counter.count() }) } };
    }
    case 'http':
      return startHttp(options as HttpOptions);
    case 'fastify':
      return startFastify(options as HttpOptions);
    default:
      throw new Error(`unknown part ${role}`);
  }
}

export interface HttpOptions {
  body: string;
  headers: [string, string][];
}

/** Answers every request with `body` and `headers`, as cheaply as node:http can. */
async function startHttp({ body, headers }: HttpOptions): Promise<Part> {
  const server = http.createServer((_request, response) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    ready: { url: `http://127.0.0.1:${port}/` },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** One fastify route answering `body` and `headers`, nothing else: the framework's own share of the api's cost. */
async function startFastify({ body, headers }: HttpOptions): Promise<Part> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  const fixed = Object.fromEntries(headers);
  app.get('/', (_request, reply) => reply.headers(fixed).send(body));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { ready: { url: `http://127.0.0.1:${port}/` }, close: () => app.close() };
}

/** The background readings: single-sample wristband readings, round robin over the load devices, QoS 1. */
async function startLoad({ url, facility, devices }: LoadOptions): Promise<Part> {
  const clients = await Promise.all(
    devices.map(async ({ id, secret }) => ({
      id,
      seq: 0,
      client: await mqtt.connectAsync(url, { clientId: id, username: id, password: secret, protocolVersion: 4 }),
    })),
  );
  let next = 0;
  const reading = (): Promise<unknown> => {
    const device = clients[next++ % clients.length]!;
    device.seq += 1;
    const payload = JSON.stringify({ seq: device.seq, ts: Date.now(), hr: 70, spo2: 97 });
    return device.client
      .publishAsync(deviceTopic(facility, device.id, 'reading'), payload, { qos: 1 })
      .catch(() => undefined);
  };
  let stopBackground = () => 0;
  return {
    ready: { devices: clients.length },
    close: () => Promise.all(clients.map((d) => d.client.endAsync())),
    commands: {
      // At most 2 000 readings in flight, as a fleet of devices would have them.
      async flood({ count }) {
        let window: Promise<unknown>[] = [];
        for (let i = 0; i < count!; i += 1) {
          window.push(reading());
          if (window.length === 2_000) [window] = [[], await Promise.all(window)];
        }
        await Promise.all(window);
        return { sent: count };
      },
      // Paced every 10 ms against the time since the start, so a late timer catches up instead of drifting.
      rate({ perSecond }) {
        let sent = 0;
        const started = performance.now();
        const timer = setInterval(() => {
          const due = Math.floor(((performance.now() - started) / 1000) * perSecond!);
          for (; sent < due; sent += 1) void reading();
        }, 10);
        stopBackground = () => {
          clearInterval(timer);
          return sent;
        };
        return { perSecond };
      },
      stop: () => ({ sent: stopBackground() }),
    },
  };
}

process.stdout.write(`${JSON.stringify({ ready: part.ready })}\n`);
for await (const line of readline.createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Record<string, number> & { cmd: string };
  if (command.cmd === 'close') break;
  const handler = command.cmd === 'stats' ? stats : part.commands?.[command.cmd];
  const reply = handler ? await handler(command) : { error: `unknown command ${command.cmd}` };
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
await part.close();
process.exit(0);
