// `npm run bench -- homecare`: home-care kits over the internet, i.e. over the gateway's TLS listener (TLS
// only). (1) Steady load: every dwelling's kit at realistic intervals; delivered ÷ offered to one persistent
// subscriber, gateway CPU and RSS. (2) The reconnect storm: the gateway restarts and every device reconnects
// (TLS handshake + login); time until all are back, with device secrets stored as sha256 (now) and as
// argon2id (before, cold verified-login cache). The gateway runs in a child process (bench/lib-fleet.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import type { DeviceKind } from '@vigil/protocol';
import { hashPassword, hashSecret } from '@vigil/core';
import { addFacility, upsertServiceAccount } from '@vigil/store';
import { makeTestCertificates } from '../tests/gateway/certificates.js';
import { createBenchDatabase } from './lib-database.js';
import { mqttConnect, RawDevice, seedFleet, spawnBroker, usage, type Broker } from './lib-fleet.js';
import type { BenchResult } from './report.js';

const DWELLINGS = Number(process.env.BENCH_HOMECARE_DWELLINGS ?? 1000);
const ARGON2_DEVICES = Number(process.env.BENCH_HOMECARE_ARGON2_DEVICES ?? 700);
const STEADY_MS = Number(process.env.BENCH_HOMECARE_STEADY_MS ?? 120_000);
const CONNECTS_IN_FLIGHT = 500;
const TICK_MS = 100;
const SECRET = 'bench-shared-secret';

/**
 * One dwelling's kit: vital-sign belt (reading every 30 s), wristband (every 60 s), PIR (a motion event about
 * every 2 min), door magnet, call button, smoke and gas alarms; every device sends a status every 5 min.
 */
const KIT: ReadonlyArray<{
  kind: DeviceKind;
  readingEveryS?: number;
  eventEveryS?: number;
  reading?: Record<string, unknown>;
}> = [
  { kind: 'bedmat', readingEveryS: 30, reading: { occupied: true, hr: 64, rr: 14, motion: 3, sleep: 'light' } },
  { kind: 'wristband', readingEveryS: 60, reading: { hr: 72, spo2: 97, worn: true, battery: 80 } },
  { kind: 'pir', eventEveryS: 120 },
  { kind: 'door' },
  { kind: 'button' },
  { kind: 'smoke' },
  { kind: 'gas' },
];
const STATUS_EVERY_S = 300;

interface KitDevice {
  id: string;
  kind: DeviceKind;
  spec: (typeof KIT)[number];
  next: { reading: number; event: number; status: number };
  link: RawDevice | null;
}

const kitDevices = (prefix: string, dwellings: number): KitDevice[] =>
  Array.from({ length: dwellings }, (_, d) =>
    KIT.map((spec) => ({
      id: `${prefix}${String(d).padStart(5, '0')}-${spec.kind}`,
      kind: spec.kind,
      spec,
      // Random phases: kits were switched on at different times.
      next: {
        reading: Date.now() + Math.random() * (spec.readingEveryS ?? 0) * 1000,
        event: Date.now() + Math.random() * (spec.eventEveryS ?? 0) * 2000,
        status: Date.now() + Math.random() * STATUS_EVERY_S * 1000,
      },
      link: null,
    })),
  ).flat();

/**
 * Connects every device, at most CONNECTS_IN_FLIGHT at a time (a device that gets no CONNACK or a refusal
 * tries again after a second, as firmware does); resolves with the seconds until the last one is in and the
 * load generator's own CPU meanwhile.
 */
async function connectAll(port: number, devices: KitDevice[], ca: Buffer) {
  const started = performance.now();
  const generator = process.cpuUsage();
  const queue = [...devices];
  let retries = 0;
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      for (;;) {
        const result = await RawDevice.connect(port, d.id, SECRET, ca);
        if (typeof result !== 'number') {
          d.link = result;
          break;
        }
        retries++;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTS_IN_FLIGHT }, worker));
  const cpu = process.cpuUsage(generator);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, retries, generatorCores: (cpu.user + cpu.system) / 1e6 / seconds };
}

/** Sends what is due each tick; returns a stop function and the count of messages sent with ts in [from, to). */
function drive(facility: string, devices: KitDevice[]) {
  const sentAt: number[] = [];
  const timer = setInterval(() => {
    const now = Date.now();
    for (const d of devices) {
      if (!d.link || d.link.closed) continue;
      const base = `vigil/v1/${facility}/${d.id}`;
      if (d.spec.readingEveryS && d.next.reading <= now) {
        d.link.publish(`${base}/reading`, d.spec.reading ?? {});
        d.next.reading += d.spec.readingEveryS * 1000;
        sentAt.push(now);
      }
      if (d.spec.eventEveryS && d.next.event <= now) {
        d.link.publish(`${base}/event`, { type: 'motion' });
        d.next.event = now - Math.log(1 - Math.random()) * d.spec.eventEveryS * 1000;
        sentAt.push(now);
      }
      if (d.next.status <= now) {
        d.link.publish(`${base}/status`, { online: true, battery: 80 });
        d.next.status += STATUS_EVERY_S * 1000;
        sentAt.push(now);
      }
    }
  }, TICK_MS);
  return {
    stop: () => clearInterval(timer),
    sentBetween: (from: number, to: number) => sentAt.filter((t) => t >= from && t < to).length,
  };
}

/** Counts messages the subscriber receives whose payload ts lies in a window. */
function counter(sub: MqttClient) {
  const receivedAt: number[] = [];
  sub.on('message', (_topic, payload) => {
    const ts = (JSON.parse(payload.toString()) as { ts?: number }).ts;
    if (ts !== undefined) receivedAt.push(ts);
  });
  return (from: number, to: number) => receivedAt.filter((t) => t >= from && t < to).length;
}

const disconnect = (devices: KitDevice[]) => {
  for (const d of devices) d.link?.socket.destroy();
};

export default async function run(): Promise<BenchResult> {
  const db = await createBenchDatabase('homecare');
  const certs = await makeTestCertificates('ec');
  const dirs = [
    await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-home-')),
    await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-home-')),
  ];
  const brokers = new Set<Broker>();
  try {
    const ca = await readFile(certs.ca);
    const fleet = kitDevices('h', DWELLINGS);
    const legacy = kitDevices('a', Math.ceil(ARGON2_DEVICES / KIT.length)).slice(0, ARGON2_DEVICES);
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await addFacility(pool, { id: 'home', name: 'Home care', region: 'bench', timezone: 'UTC' });
    await addFacility(pool, { id: 'legacy', name: 'Home care, argon2id', region: 'bench', timezone: 'UTC' });
    const ingest = await upsertServiceAccount(pool, 'bench-ingest', 'ingest');
    await pool.end();
    await seedFleet(db.url, 'home', fleet, hashSecret(SECRET));
    await seedFleet(db.url, 'legacy', legacy, await hashPassword(SECRET));
    const env = (dataDir: string) => ({
      DATABASE_URL: db.url,
      VIGIL_GATEWAY_DATA_DIR: dataDir,
      VIGIL_MQTT_TLS_CERT: certs.serverCert,
      VIGIL_MQTT_TLS_KEY: certs.serverKey,
      VIGIL_MQTT_TLS_PORT: '0',
      VIGIL_MQTT_TLS_ONLY: '1',
    });
    const spawn = async (dataDir: string) => {
      const broker = await spawnBroker('full', env(dataDir));
      brokers.add(broker);
      return broker;
    };
    const stop = async (broker: Broker) => {
      await broker.close();
      brokers.delete(broker);
    };

    // (1) Steady load.
    const gateway = await spawn(dirs[0]!);
    const sub = await mqttConnect(gateway.url, ingest, 'bench-homecare-sub', { clean: false, ca });
    await sub.subscribeAsync(['vigil/v1/home/+/reading', 'vigil/v1/home/+/event', 'vigil/v1/home/+/status'], {
      qos: 1,
    });
    const received = counter(sub);
    const coldStart = await connectAll(gateway.port, fleet, ca);
    const traffic = drive('home', fleet);
    await new Promise((r) => setTimeout(r, 5_000));
    const from = Date.now();
    const before = await usage(gateway.child.pid!);
    await new Promise((r) => setTimeout(r, STEADY_MS));
    const to = Date.now();
    const after = await usage(gateway.child.pid!);
    await new Promise((r) => setTimeout(r, 5_000)); // what was sent in the window arrives
    traffic.stop();
    const offered = traffic.sentBetween(from, to);
    const delivered = received(from, to);
    await sub.endAsync(true);

    // (2) The storm after a restart: every device back at once, on a gateway just started on `dataDir`.
    const stormOn = async (dataDir: string, devices: KitDevice[]) => {
      const broker = await spawn(dataDir);
      const cpuBefore = (await usage(broker.child.pid!)).cpu;
      const result = await connectAll(broker.port, devices, ca);
      const cpu = (await usage(broker.child.pid!)).cpu - cpuBefore;
      disconnect(devices);
      await stop(broker);
      return { ...result, cpu };
    };
    await stop(gateway);
    disconnect(fleet);
    // Now: the same data directory as before the restart.
    const storm = await stormOn(dirs[0]!, fleet);
    // Before: secrets stored as argon2id, on a gateway whose verified-login cache is cold (first start, a
    // replaced gateway, or more than 12 h since the last login).
    const slow = await stormOn(dirs[1]!, legacy);

    const devices = fleet.length;
    const seconds = STEADY_MS / 1000;
    const argon2Rate = legacy.length / slow.seconds;
    // Gateway CPU per login (all its threads, argon2's included): what a storm costs on an idle machine.
    const fastCpuMs = (storm.cpu / devices) * 1000;
    const slowCpuMs = (slow.cpu / legacy.length) * 1000;
    return {
      name: 'homecare',
      rows: [
        { metric: 'dwellings (kits of 7 devices)', value: DWELLINGS, unit: 'dwellings' },
        { metric: 'offered load', value: offered / seconds, unit: 'msg/s' },
        {
          metric: 'delivered ÷ offered (TLS, persistent subscriber)',
          value: delivered / seconds,
          unit: 'msg/s',
          ceiling: offered / seconds,
          ratio: delivered / Math.max(1, offered),
          goal: '≥ 0.99',
        },
        { metric: 'gateway CPU at kit load', value: (after.cpu - before.cpu) / seconds, unit: 'cores' },
        { metric: 'gateway RSS at kit load', value: after.rss / 2 ** 20, unit: 'MiB' },
        { metric: 'cold start: all devices connected (sha256)', value: coldStart.seconds, unit: 's' },
        {
          metric: 'reconnect storm after restart (sha256)',
          value: storm.seconds,
          unit: 's',
          goal: `≤ 30 s for 10 000 (here ${devices})`,
        },
        { metric: 'storm logins (TLS handshake + login), sha256', value: devices / storm.seconds, unit: 'logins/s' },
        {
          metric: 'gateway CPU during the storm',
          value: storm.cpu / storm.seconds,
          unit: 'cores',
        },
        { metric: 'load generator CPU during the storm', value: storm.generatorCores, unit: 'cores' },
        { metric: 'gateway CPU per login (TLS + sha256)', value: fastCpuMs, unit: 'ms' },
        { metric: 'gateway CPU per login (TLS + argon2id)', value: slowCpuMs, unit: 'ms' },
        {
          metric: '10 000 devices × CPU per login, sha256',
          value: (10_000 * fastCpuMs) / 1000,
          unit: 'core-s',
          goal: '≤ 30 s',
        },
        { metric: '10 000 devices × CPU per login, argon2id', value: (10_000 * slowCpuMs) / 1000, unit: 'core-s' },
        { metric: 'storm logins (TLS handshake + login), argon2id', value: argon2Rate, unit: 'logins/s' },
        {
          metric: `argon2id: ${legacy.length} devices back (measured)`,
          value: slow.seconds,
          unit: 's',
        },
        { metric: `argon2id: ${devices} devices back (at that rate)`, value: devices / argon2Rate, unit: 's' },
      ],
      notes: [
        `${DWELLINGS} dwellings × ${KIT.length} devices = ${devices} TLS connections (TLS 1.3, ECDSA P-256 server certificate, no session resumption) from one load-generator process; 10 000 dwellings (70 000 connections) do not fit this 2-core machine beside the gateway, so the storm is scaled down and reported as a rate (logins/s) that carries over`,
        `kit: vital-sign belt reading every 30 s, wristband every 60 s, PIR motion events (Poisson, mean 2 min), door, button, smoke, gas; every device a status every 5 min; QoS 1; ${seconds} s window after 5 s settling; delivered counts messages with ts in the window that reached the persistent ingest subscriber (over TLS too)`,
        `storm: the gateway is stopped and started on the same data directory, then every device reconnects, ${CONNECTS_IN_FLIGHT} connects in flight, a device without CONNACK retries after 1 s (retries: ${storm.retries}); argon2id: ${legacy.length} devices stored as before this change on a gateway with a cold verified-login cache (retries: ${slow.retries}); each is upgraded to sha256 on that login`,
        `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs at the end: on a shared machine the storm's wall-clock times are noisy; the gateway's CPU per login (from /proc, all threads) does not depend on that, and 10 000 × it is the storm's length on one otherwise idle core; the storm's rate here is bounded by the one load-generator process (its TLS handshakes), not the gateway (see the CPU rows)`,
      ],
    };
  } finally {
    for (const broker of brokers) await broker.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await certs.remove();
    await db.drop();
  }
}
