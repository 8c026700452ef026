// `npm run bench -- gateway`: (1) QoS 1 forward rate of the full gateway (auth, ACL, on-disk sessions)
// ÷ bare aedes, same publisher and subscriber, same run; (2) a fleet of simulated devices at 1 msg/s on one
// gateway: its CPU and RSS, p99 forward latency, refusals. Brokers run in child processes
// (bench/lib-gateway-child.ts) so their CPU and memory are measured apart from this load generator.
// BENCH_GATEWAY_CPU_PROF=<dir> writes V8 CPU profiles of the broker processes to <dir>/bare and <dir>/full.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import pg from 'pg';
import * as argon2 from '@node-rs/argon2';
import { hashSecret } from '@vigil/core';
import { addDevice, addFacility, upsertServiceAccount } from '@vigil/store';
import { createBenchDatabase } from './lib-database.js';
import type { BenchResult } from './report.js';

const CHILD = fileURLToPath(new URL('./lib-gateway-child.ts', import.meta.url));
const FORWARD_MESSAGES = Number(process.env.BENCH_GATEWAY_MESSAGES ?? 50_000);
const FORWARD_ROUNDS = 3;
const FLEET = Number(process.env.BENCH_GATEWAY_DEVICES ?? 10_000);
const LOGIN_SAMPLE = 100;
const STEADY_MS = Number(process.env.BENCH_GATEWAY_STEADY_MS ?? 30_000);
const TICK_MS = 10;
const CLK_TCK = 100;

interface Creds {
  id: string;
  secret: string;
}

interface Broker {
  child: ChildProcess;
  url: string;
  port: number;
  metrics(): Promise<Array<{ name: string; values: Array<{ value: number; labels: Record<string, string> }> }>>;
  close(): Promise<void>;
}

async function spawnBroker(mode: 'bare' | 'full', env: Record<string, string> = {}): Promise<Broker> {
  const profileDir = process.env.BENCH_GATEWAY_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, mode)}`] : [];
  const child = spawn(process.execPath, [...profile, '--conditions=vigil-source', '--import', 'tsx', CHILD, mode], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'error', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = (await lines.next()).value as string;
  const port = Number(ready.split(' ')[1]);
  return {
    child,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async metrics() {
      child.stdin!.write('metrics\n');
      return JSON.parse((await lines.next()).value as string);
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.write('close\n');
      await exited;
    },
  };
}

/** CPU seconds (user + system) and RSS bytes of a process, from /proc. */
async function usage(pid: number): Promise<{ cpu: number; rss: number }> {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpu: (Number(stat[11]) + Number(stat[12])) / CLK_TCK, rss: rssKb * 1024 };
}

function mqttConnect(url: string, creds: Creds | null, clientId: string, clean = true): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId,
    clean,
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(creds ? { username: creds.id, password: creds.secret } : {}),
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/** Messages per second from first publish to last delivery: QoS 1 both ways, 500 in flight. */
async function forwardRate(url: string, publisher: Creds | null, subscriber: Creds | null): Promise<number> {
  const sub = await mqttConnect(url, subscriber, 'bench-sub', false);
  await sub.subscribeAsync('vigil/v1/+/+/reading', { qos: 1 });
  const pub = await mqttConnect(url, publisher, 'bench-pub');
  const payload = JSON.stringify({ seq: 0, ts: Date.now(), hr: 72, spo2: 97, skinTemp: 33.1 });
  const run = async (count: number) => {
    let received = 0;
    const done = new Promise<void>((resolve) =>
      sub.on('message', () => {
        if (++received === count) resolve();
      }),
    );
    const started = performance.now();
    let sent = 0;
    const inFlight = new Set<Promise<unknown>>();
    while (sent < count) {
      const p = pub.publishAsync('vigil/v1/bench/bench-pub/reading', payload, { qos: 1 });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      sent++;
      if (inFlight.size >= 500) await Promise.race(inFlight);
    }
    await done;
    sub.removeAllListeners('message');
    return count / ((performance.now() - started) / 1000);
  };
  await run(2000); // warm-up
  const rate = await run(FORWARD_MESSAGES);
  await pub.endAsync();
  await sub.endAsync();
  return rate;
}

/** A device speaking raw MQTT 3.1.1 (mqtt-packet), light enough to run thousands in one process. */
class RawDevice {
  readonly socket: net.Socket;
  seq = 0;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
  }

  static connect(port: number, id: string, secret: string): Promise<RawDevice | number> {
    const socket = net.connect(port, '127.0.0.1');
    const parser = mqttPacket.parser();
    const device = new RawDevice(socket);
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (device.closed = true));
    return new Promise((resolve) => {
      parser.on('packet', (packet) => {
        if (packet.cmd === 'connack') resolve(packet.returnCode === 0 ? device : (packet.returnCode ?? -1));
      });
      socket.once('close', () => resolve(-1));
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          keepalive: 60,
          clientId: id,
          username: id,
          password: Buffer.from(secret),
        }),
      );
    });
  }

  publish(facility: string, id: string): void {
    if (this.closed) return;
    this.seq++;
    const payload = JSON.stringify({ seq: this.seq, ts: Date.now(), hr: 70 + (this.seq % 5) });
    this.socket.write(
      mqttPacket.generate({
        cmd: 'publish',
        topic: `vigil/v1/${facility}/${id}/reading`,
        payload,
        qos: 1,
        messageId: (this.seq % 65535) + 1,
        retain: false,
        dup: false,
      }),
    );
  }
}

/**
 * Registers `count` devices sharing one secret. `cheap` hashes it with argon2id at m = 1 MiB, t = 1 (the
 * parameters live in the hash, so verification is cheap too): with the production parameters 10 000 first
 * logins take longer than the whole benchmark; their rate is measured separately on a small sample.
 */
async function seedFleet(url: string, prefix: string, count: number, cheap: boolean) {
  const secret = 'bench-shared-secret';
  const hash = cheap ? await argon2.hash(secret, { memoryCost: 1024, timeCost: 1 }) : await hashSecret(secret);
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await pool.query(
    `INSERT INTO devices (id, facility_id, kind, secret_hash, expected_interval_s)
     SELECT id, 'bench', 'wristband', $2, 60 FROM unnest($1::text[]) AS id`,
    [ids, hash],
  );
  await pool.end();
  return { ids, secret };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;

export default async function run(): Promise<BenchResult> {
  const db = await createBenchDatabase('gateway');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-gw-'));
  const notes: string[] = [];
  try {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await addFacility(pool, { id: 'bench', name: 'Bench', region: 'bench', timezone: 'UTC' });
    const publisher = await addDevice(pool, { facility: 'bench', id: 'bench-pub', kind: 'wristband' });
    const ingest = await upsertServiceAccount(pool, 'bench-ingest', 'ingest');
    await pool.end();
    const fullEnv = {
      DATABASE_URL: db.url,
      VIGIL_GATEWAY_DATA_DIR: dataDir,
      VIGIL_GATEWAY_RATE_PER_SECOND: '1000000',
      VIGIL_GATEWAY_RATE_BURST: '1000000',
    };

    // Bare and full alternate, three times, and the best of each counts: a burst of other load on the shared
    // machine then does not decide the ratio.
    const rates = { bare: [] as number[], full: [] as number[] };
    for (let round = 0; round < FORWARD_ROUNDS; round++) {
      const bare = await spawnBroker('bare');
      rates.bare.push(await forwardRate(bare.url, null, null));
      await bare.close();
      const full = await spawnBroker('full', fullEnv);
      rates.full.push(await forwardRate(full.url, publisher, ingest));
      await full.close();
    }
    const bareRate = Math.max(...rates.bare);
    const fullRate = Math.max(...rates.full);

    const fleet = await seedFleet(db.url, 'fleet', FLEET, true);
    const sample = await seedFleet(db.url, 'first', LOGIN_SAMPLE, false);
    const gateway = await spawnBroker('full', {
      ...fullEnv,
      VIGIL_GATEWAY_RATE_PER_SECOND: '20',
      VIGIL_GATEWAY_RATE_BURST: '100',
    });
    const loginStart = performance.now();
    const firstLogins = await Promise.all(sample.ids.map((id) => RawDevice.connect(gateway.port, id, sample.secret)));
    const firstLoginRate = LOGIN_SAMPLE / ((performance.now() - loginStart) / 1000);
    for (const d of firstLogins) if (typeof d !== 'number') d.socket.destroy();
    const sub = await mqttConnect(gateway.url, ingest, 'bench-fleet-sub', false);
    await sub.subscribeAsync('vigil/v1/bench/+/reading', { qos: 1 });
    const latencies: number[] = [];
    let measuring = false;
    sub.on('message', (_t, payload) => {
      if (measuring) latencies.push(Date.now() - (JSON.parse(payload.toString()) as { ts: number }).ts);
    });

    const connectStart = performance.now();
    const devices: Array<RawDevice | null> = [];
    let refused = 0;
    for (let i = 0; i < fleet.ids.length; i += 250) {
      const batch = await Promise.all(
        fleet.ids.slice(i, i + 250).map((id) => RawDevice.connect(gateway.port, id, fleet.secret)),
      );
      for (const d of batch) {
        if (typeof d === 'number') refused++;
        devices.push(typeof d === 'number' ? null : d);
      }
    }
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const connected = devices.filter(Boolean).length;

    // Every device sends once a second, spread evenly: each 10 ms tick one slot of devices publishes.
    const slots = 1000 / TICK_MS;
    let tick = 0;
    let sent = 0;
    const timer = setInterval(() => {
      for (let i = tick % slots; i < devices.length; i += slots) {
        const device = devices[i];
        if (device && !device.closed) {
          device.publish('bench', fleet.ids[i]!);
          sent++;
        }
      }
      tick++;
    }, TICK_MS);
    await new Promise((r) => setTimeout(r, 5_000)); // settle
    const before = await usage(gateway.child.pid!);
    const generatorBefore = process.cpuUsage();
    const sentBefore = sent;
    measuring = true;
    await new Promise((r) => setTimeout(r, STEADY_MS));
    measuring = false;
    const after = await usage(gateway.child.pid!);
    const generator = process.cpuUsage(generatorBefore);
    const sentSteady = sent - sentBefore;
    clearInterval(timer);
    const metrics = await gateway.metrics();
    const refusals = metrics.find((m) => m.name === 'vigil_gateway_refusals_total')?.values ?? [];
    const refusalCount = refusals.reduce((sum, v) => sum + v.value, 0);
    const dropped = devices.filter((d) => d?.closed).length;
    for (const d of devices) d?.socket.destroy();
    await sub.endAsync(true);
    await gateway.close();

    latencies.sort((a, b) => a - b);
    const steadySeconds = STEADY_MS / 1000;
    notes.push(
      `forward rate: ${FORWARD_MESSAGES} QoS 1 readings, one publisher, one persistent (clean=false) subscriber, 500 in flight; bare = aedes 1.x defaults (in-memory), full = vigil gateway (argon2 auth, ACL, each QoS 1 message routed into the LevelDB session queues before its PUBACK); bare and full alternate ${FORWARD_ROUNDS} times, best of each (msg/s: bare ${rates.bare.map(Math.round).join(', ')}; full ${rates.full.map(Math.round).join(', ')})`,
      `fleet: ${FLEET} raw MQTT devices in the load-generator process, QoS 1, 1 msg/s each, spread over 10 ms ticks; one persistent ingest subscriber measures publish→delivery latency from the payload ts; ${steadySeconds} s steady window after 5 s settling`,
      `fleet devices use a cheap argon2id hash (m=1 MiB, t=1) so 10 000 first logins fit the run; first logins with the production parameters are measured on ${LOGIN_SAMPLE} devices: a cold gateway admits a 10 000-device fleet in about 10 000 ÷ that rate seconds, a restarted one reuses its on-disk verified-login cache`,
      `the load generator and the gateway share the machine (${os.cpus().length} CPUs); gateway CPU is its own process (/proc), 1.0 = one core; the load generator (10 000 sockets and the subscriber, one Node thread) near 1.0 means it, not the gateway, limits what is delivered`,
      `refusals by reason: ${refusals.map((v) => `${v.labels.reason}=${v.value}`).join(', ') || 'none'}; devices dropped by the gateway during the run: ${dropped}`,
    );
    if (connected < FLEET) notes.push(`${FLEET - connected} of ${FLEET} devices could not connect`);
    return {
      name: 'gateway',
      rows: [
        {
          metric: 'forward rate, full gateway',
          value: fullRate,
          unit: 'msg/s',
          ceiling: bareRate,
          ratio: fullRate / bareRate,
          goal: '≥ 0.5',
        },
        { metric: 'forward rate, bare aedes', value: bareRate, unit: 'msg/s' },
        {
          metric: 'fleet devices connected',
          value: connected,
          unit: 'devices',
          ceiling: FLEET,
          ratio: connected / FLEET,
        },
        { metric: 'first logins, production argon2id', value: firstLoginRate, unit: 'logins/s' },
        { metric: 'fleet connect storm (cheap argon2id)', value: connected / connectSeconds, unit: 'logins/s' },
        { metric: 'fleet offered load', value: sentSteady / steadySeconds, unit: 'msg/s' },
        {
          metric: 'fleet delivered to subscriber',
          value: latencies.length / steadySeconds,
          unit: 'msg/s',
          ceiling: sentSteady / steadySeconds,
          ratio: latencies.length / Math.max(1, sentSteady),
        },
        { metric: 'fleet forward latency p50', value: percentile(latencies, 0.5), unit: 'ms' },
        { metric: 'fleet forward latency p99', value: percentile(latencies, 0.99), unit: 'ms' },
        { metric: 'gateway CPU at fleet load', value: (after.cpu - before.cpu) / steadySeconds, unit: 'cores' },
        { metric: 'gateway RSS at fleet load', value: after.rss / 2 ** 20, unit: 'MiB' },
        {
          metric: 'load generator CPU at fleet load',
          value: (generator.user + generator.system) / 1e6 / steadySeconds,
          unit: 'cores',
        },
        { metric: 'fleet refusals', value: refusalCount + refused, unit: 'count' },
      ],
      notes,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}
