// `npm run bench -- alerts`: publish → WebSocket receive latency of alerts through the whole system, idle and
// under background readings, and alerts lost under heavy load. Gateway, ingest, alerts and api each run in a
// process of their own, as a deployment runs them (bench/lib-part-child.ts), and so does the load generator;
// the falls are published and the WebSocket read in this process, so every latency is measured on one clock.
// Its own database on the local cluster, dropped at the end. BENCH_ALERTS_CPU_PROF=<dir> writes a V8 CPU
// profile of every part there.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import pg from 'pg';
import WebSocket from 'ws';
import { addDevice, addFacility, addLocation, addResident, createToken, upsertServiceAccount } from '@vigil/store';
import { deviceTopic, deviceTopicFilter, INTERNAL_TOPICS, STREAM_PATH } from '@vigil/protocol';
import { createBenchDatabase } from './lib-database.js';
import { histogramMean, histogramQuantile, spawnPart, type PartHandle, type PartStats } from './lib-parts.js';
import type { BenchResult } from './report.js';

const FACILITY = 'bench';
const TRIGGERS_PER_PHASE = 60;
const LOAD_DEVICES = 40;
const FLOOD_MESSAGES = 30_000;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

interface Device {
  id: string;
  client: mqtt.MqttClient;
  seq: number;
}

interface Registered {
  id: string;
  secret: string;
}

async function registerDevices(db: pg.Pool, prefix: string, count: number, withResidents: boolean) {
  const registered: Registered[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `${prefix}-${i}`;
    const resident = withResidents ? `res-${id}` : undefined;
    if (resident)
      await addResident(db, { facility: FACILITY, id: resident, careLevel: 'semi-dependent', location: 'room-1' });
    registered.push(await addDevice(db, { facility: FACILITY, id, kind: 'wristband', resident }));
  }
  return registered;
}

async function connect(gatewayUrl: string, registered: Registered[]): Promise<Device[]> {
  return Promise.all(
    registered.map(async ({ id, secret }) => ({
      id,
      seq: 0,
      client: await mqtt.connectAsync(gatewayUrl, { clientId: id, username: id, password: secret, protocolVersion: 4 }),
    })),
  );
}

/** When the bench saw a raised alert on the internal topic: its own clock, and the event's `at` (the engine's). */
interface Tapped {
  at: number;
  wall: number;
  evaluatedAt: number;
}

/** Per resident, when the bench saw their fall on its way: forwarded by the gateway, as an alert event, on the stream. */
interface Sightings {
  forwarded: Map<string, number>;
  internal: Map<string, Tapped>;
  received: Map<string, number>;
}

/**
 * Publishes one fall per trigger device and measures until the stream delivers its `raised` alert. The slowest
 * falls are split into hops: gateway forwarding the fall to a subscriber like the alerts service, → engine (the
 * event's `at`, ms wall clock), engine → internal topic (commit, alerts → gateway → subscriber), → WebSocket.
 */
async function measureFalls(triggers: Device[], seen: Sightings, spacingMs: number, waitMs: number) {
  const { forwarded, internal, received } = seen;
  const sent = new Map<string, { at: number; wall: number }>();
  for (const device of triggers) {
    device.seq += 1;
    const wall = Date.now();
    sent.set(`res-${device.id}`, { at: performance.now(), wall });
    device.client.publish(
      deviceTopic(FACILITY, device.id, 'event'),
      JSON.stringify({ seq: device.seq, ts: wall, type: 'fall', confidence: 0.95 }),
      { qos: 1 },
    );
    await sleep(spacingMs);
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && [...sent.keys()].some((r) => !received.has(r))) await sleep(20);
  const latencies = [...sent].filter(([r]) => received.has(r)).map(([r, t]) => received.get(r)! - t.at);
  const internalLatencies = [...sent].filter(([r]) => internal.has(r)).map(([r, t]) => internal.get(r)!.at - t.at);
  const slowest = [...sent]
    .filter(([r]) => received.has(r) && internal.has(r) && forwarded.has(r))
    .map(([r, t]) => {
      const tap = internal.get(r)!;
      const at = forwarded.get(r)!;
      const hops = [
        at - t.at,
        tap.evaluatedAt - (t.wall + at - t.at),
        tap.wall - tap.evaluatedAt,
        received.get(r)! - tap.at,
      ];
      return { total: received.get(r)! - t.at, hops };
    })
    .sort((a, b) => b.total - a.total)
    .slice(0, 3)
    .map(({ total, hops }) => `${total.toFixed(0)} (${hops.map((h) => h.toFixed(0)).join(' + ')})`);
  return { latencies, internalLatencies, lost: sent.size - latencies.length, slowest };
}

/** Microseconds some task waited for a CPU (Linux PSI), to tell a busy machine from a slow system; NaN elsewhere. */
async function cpuStallUs(): Promise<number> {
  const psi = await readFile('/proc/pressure/cpu', 'utf8').catch(() => '');
  return Number(/^some .*total=(\d+)/m.exec(psi)?.[1] ?? NaN);
}

/** Event-loop delay and CPU of every process, and the alerts engine's own publish delay, over one phase. */
function describeParts(phase: string, stats: Map<string, PartStats>): string {
  const parts = [...stats].map(
    ([role, s]) =>
      `${role} ${s.loopDelayMs.p99.toFixed(0)}/${s.loopDelayMs.max.toFixed(0)} ms, ${(s.cpu * 100).toFixed(0)} % CPU`,
  );
  const alerts = stats.get('alerts');
  const delay = 'vigil_alerts_publish_delay_seconds';
  const engine = alerts
    ? `; alerts engine event → broker mean ${(histogramMean(alerts, delay) * 1000).toFixed(1)} ms, p99 ≤ ${
        histogramQuantile(alerts, delay, 0.99) * 1000
      } ms`
    : '';
  return `${phase}: event-loop delay p99/max and CPU (1 = one core): ${parts.join('; ')}${engine}`;
}

export default async function run(): Promise<BenchResult> {
  const database = await createBenchDatabase('alerts');
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-alerts-'));
  const profileDir = process.env.BENCH_ALERTS_CPU_PROF;
  const closers: (() => Promise<unknown>)[] = [];
  const mainLoop = monitorEventLoopDelay({ resolution: 5 });
  try {
    await addFacility(db, { id: FACILITY, name: 'Bench', region: 'bench', timezone: 'Europe/Berlin' });
    await addLocation(db, { facility: FACILITY, id: 'room-1', kind: 'room' });
    // Devices are registered before the services start, as in a facility (a new device costs one registry reload).
    const loadIds = await registerDevices(db, 'load', LOAD_DEVICES, false);
    const phaseIds = [];
    for (const phase of ['idle', 'half', 'heavy'])
      phaseIds.push(await registerDevices(db, phase, TRIGGERS_PER_PHASE, true));

    const gateway = await spawnPart(
      'gateway',
      {
        port: 0,
        databaseUrl: database.url,
        dataDir: path.join(dataDir, 'gateway'),
        authCacheTtlMs: 600_000,
        limits: { ratePerSecond: 1_000_000, rateBurst: 1_000_000 },
      },
      profileDir,
    );
    closers.push(() => gateway.close());
    const url = gateway.ready.url as string;
    const account = async (id: string, role: 'ingest' | 'alerts' | 'api') => ({
      url,
      username: id,
      password: (await upsertServiceAccount(db, id, role)).secret,
    });
    const options = {
      ingest: { databaseUrl: database.url, mqtt: await account('svc-ingest', 'ingest'), cron: false },
      alerts: {
        databaseUrl: database.url,
        dataDir: path.join(dataDir, 'alerts'),
        mqtt: await account('svc-alerts', 'alerts'),
      },
      api: { port: 0, databaseUrl: database.url, mqtt: await account('svc-api', 'api') },
      load: { url, facility: FACILITY, devices: loadIds },
    };
    const parts: PartHandle[] = [gateway];
    for (const started of await Promise.allSettled(
      (['ingest', 'alerts', 'api', 'load'] as const).map((role) => spawnPart(role, options[role], profileDir)),
    )) {
      if (started.status === 'rejected') throw started.reason;
      parts.push(started.value);
      closers.push(() => started.value.close());
    }
    const [, , , api, load] = parts as [PartHandle, PartHandle, PartHandle, PartHandle, PartHandle];

    const phases = await Promise.all(phaseIds.map((ids) => connect(url, ids)));
    closers.push(() => Promise.all(phases.flat().map((d) => d.client.endAsync())));

    // Where the time goes: the same events on the internal topic, as the api receives them from alerts.
    const seen: Sightings = { forwarded: new Map(), internal: new Map(), received: new Map() };
    const { internal, received } = seen;
    // And the falls as the gateway forwards them to a persistent QoS 1 subscriber of device events, as alerts is.
    const probe = await mqtt.connectAsync(url, {
      ...(await account('svc-bench-probe', 'alerts')),
      clientId: 'bench-probe',
      clean: false,
    });
    probe.on('message', (topic) => seen.forwarded.set(`res-${topic.split('/')[3]}`, performance.now()));
    await probe.subscribeAsync(deviceTopicFilter('event', FACILITY), { qos: 1 });
    closers.push(() => probe.endAsync());
    const tap = await mqtt.connectAsync(url, { ...(await account('svc-bench-tap', 'api')), clientId: 'bench-tap' });
    tap.on('message', (_topic, payload) => {
      const event = JSON.parse(payload.toString());
      if (event.event === 'raised' && event.alert.resident) {
        internal.set(event.alert.resident, {
          at: performance.now(),
          wall: Date.now(),
          evaluatedAt: Date.parse(event.at),
        });
      }
    });
    await tap.subscribeAsync(INTERNAL_TOPICS.alertEvents, { qos: 1 });
    closers.push(() => tap.endAsync());

    // The wall display's view: a display token on the stream, receive time per resident's raised alert.
    const { token } = await createToken(db, { role: 'display', facility: FACILITY });
    const socket = new WebSocket(`${(api.ready.url as string).replace(/^http/, 'ws')}${STREAM_PATH}`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const snapshot = new Promise((resolve) => socket.once('message', resolve));
    socket.on('message', (data) => {
      const at = performance.now();
      const message = JSON.parse(data.toString());
      if (message.type === 'alert' && message.event === 'raised' && message.alert.resident) {
        received.set(message.alert.resident, at);
      }
    });
    socket.send(JSON.stringify({ type: 'hello', token }));
    await snapshot;
    closers.push(async () => socket.close());

    // Ceiling: the most readings per second the system stores (gateway → ingest → TimescaleDB), flat out.
    const floodStart = performance.now();
    await load.request({ cmd: 'flood', count: FLOOD_MESSAGES });
    let stored = 0;
    while (stored < FLOOD_MESSAGES && performance.now() - floodStart < 180_000) {
      stored = (await db.query('SELECT count(*)::int AS n FROM vitals')).rows[0].n;
      await sleep(50);
    }
    const maxRate = stored / ((performance.now() - floodStart) / 1000);
    await sleep(2_000);

    // Per phase: every part's event-loop delay and CPU, and the achieved background rate.
    const notes: string[] = [];
    const phase = async (name: string, rate: number, triggers: Device[], waitMs: number) => {
      await Promise.all(parts.map((p) => p.request({ cmd: 'stats' })));
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const stallBefore = await cpuStallUs();
      if (rate) {
        await load.request({ cmd: 'rate', perSecond: rate });
        await sleep(2_000);
      }
      mainLoop.reset();
      mainLoop.enable();
      const measured = await measureFalls(triggers, seen, 100, waitMs);
      mainLoop.disable();
      const sent = rate ? (await load.request<{ sent: number }>({ cmd: 'stop' })).sent : 0;
      const seconds = (performance.now() - started) / 1000;
      const stalled = ((await cpuStallUs()) - stallBefore) / 1e6 / seconds;
      const benchCpu = process.cpuUsage(cpuBefore);
      const stats = new Map<string, PartStats>();
      for (const p of parts) stats.set(p.role, await p.request<PartStats>({ cmd: 'stats' }));
      stats.set('bench', {
        loopDelayMs: {
          p50: mainLoop.percentile(50) / 1e6,
          p99: mainLoop.percentile(99) / 1e6,
          max: mainLoop.max / 1e6,
        },
        cpu: (benchCpu.user + benchCpu.system) / 1e6 / seconds,
        metrics: [],
      });
      const achieved = rate ? `, background ${(sent / seconds).toFixed(0)} msg/s achieved of ${rate.toFixed(0)}` : '';
      const pressure = `; CPU pressure (share of time some task waited for a CPU) ${(stalled * 100).toFixed(0)} %`;
      notes.push(`${describeParts(name, stats)}${achieved}${pressure}`);
      notes.push(
        `${name}: slowest falls, ms (gateway forward + → engine + engine → internal topic + → WebSocket): ${measured.slowest.join(', ')}`,
      );
      return measured;
    };
    const idle = await phase('idle', 0, phases[0]!, 10_000);
    const half = await phase('0.5×', maxRate * 0.5, phases[1]!, 10_000);
    await sleep(2_000);
    const heavy = await phase('0.8×', maxRate * 0.8, phases[2]!, 20_000);
    const storedHeavy = (await db.query(`SELECT count(*)::int AS n FROM alerts WHERE resident_id LIKE 'res-heavy-%'`))
      .rows[0].n as number;
    const idleP99 = percentile(idle.latencies, 99);
    const halfP99 = percentile(half.latencies, 99);
    return {
      name: 'alerts',
      rows: [
        { metric: 'max ingest rate (flat out, stored)', value: maxRate, unit: 'msg/s' },
        { metric: 'fall → internal topic p50, idle', value: percentile(idle.internalLatencies, 50), unit: 'ms' },
        { metric: 'fall → internal topic p99, idle', value: percentile(idle.internalLatencies, 99), unit: 'ms' },
        {
          metric: 'fall → internal topic p99, 0.5× max rate',
          value: percentile(half.internalLatencies, 99),
          unit: 'ms',
        },
        { metric: 'fall → WebSocket p50, idle', value: percentile(idle.latencies, 50), unit: 'ms' },
        { metric: 'fall → WebSocket p99, idle', value: idleP99, unit: 'ms' },
        { metric: 'fall → WebSocket p50, 0.5× max rate', value: percentile(half.latencies, 50), unit: 'ms' },
        {
          metric: 'fall → WebSocket p99, 0.5× max rate',
          value: halfP99,
          unit: 'ms',
          ceiling: 250,
          ratio: halfP99 / 250,
          goal: '≤ 1',
        },
        { metric: 'p99 under 0.5× load ÷ idle p99', value: halfP99 / idleP99, unit: '×', goal: '≤ 3' },
        { metric: 'fall → WebSocket p99, 0.8× max rate', value: percentile(heavy.latencies, 99), unit: 'ms' },
        { metric: 'alerts lost at 0.8× max rate (stream)', value: heavy.lost, unit: 'alerts', goal: '0' },
        {
          metric: 'alerts not stored at 0.8× max rate',
          value: TRIGGERS_PER_PHASE - storedHeavy,
          unit: 'alerts',
          goal: '0',
        },
      ],
      notes: [
        `${TRIGGERS_PER_PHASE} falls per phase, 100 ms apart, each from its own resident (so each is a new alert)`,
        'gateway, ingest, alerts, api (compiled, from dist/) and the load generator each in a process of their own, as deployed; falls, WebSocket and taps in the bench process: one clock',
        `p99 of ${TRIGGERS_PER_PHASE} samples is the slowest fall of the phase; "event-loop delay" is perf_hooks.monitorEventLoopDelay per process`,
        `max rate: ${FLOOD_MESSAGES} single-sample readings from ${LOAD_DEVICES} devices until all are stored`,
        `lost = not on the stream within 20 s; idle samples ${idle.latencies.length}, 0.5× ${half.latencies.length}`,
        ...notes,
      ],
    };
  } finally {
    // A part that does not close within 10 s is reported, never allowed to hold the results back.
    for (const close of closers.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          console.error(`bench: a part did not close in 10 s: ${String(close)}`);
          resolve();
        }, 10_000);
      });
      await Promise.race([close().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    await db.end();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
