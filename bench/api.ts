// `npm run bench -- api`: the api's overhead and its two hot reads. (1) a trivial authenticated route (`GET
// /api/v1/me`) against a bare node:http server answering the same bytes (the JSON and the api's security headers),
// one answering the JSON alone, and one fastify route answering the same bytes (the framework's share); each server
// runs in a process of its own and is compared by its CPU per request, since the load generator (one Node thread on
// the same two cores) saturates before any of them; (2) the alert list of a facility with 100 000 alerts, p99 (first
// page, a filtered page and a cursor page); (3) one alert event fanned out to 1 000 display sockets ÷ a raw `ws`
// broadcast loop to 1 000 sockets, with the p95 delivery time.
// Its own database (VIGIL_BENCH_ADMIN_URL or the local cluster), dropped at the end.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import pg from 'pg';
import WebSocket, { WebSocketServer } from 'ws';
import { INTERNAL_TOPICS, STREAM_PATH, type AlertEvent } from '@vigil/protocol';
import { addFacility, createToken } from '@vigil/store';
import { makeAlert } from '../tests/api/fixture.js';
import { startApiStack } from './lib-api-stack.js';
import { createBenchDatabase } from './lib-database.js';
import { usage } from './lib-fleet.js';
import { spawnPart } from './lib-parts.js';
import type { BenchResult } from './report.js';

const ALERTS = 100_000;
const REQUESTS = 30_000;
const CONCURRENCY = 16;
/** Rounds of the four servers, one run each. */
const ROUNDS = 8;
const LIST_REQUESTS = 300;
const SOCKETS = 1000;
const FANOUT_ROUNDS = 5;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

interface Load {
  /** Requests per second, bounded by the load generator as much as by the server. */
  rate: number;
  /** CPU of the server's process (user + system, /proc) per request, µs. */
  cpuMicros: number;
}

/** `REQUESTS` GETs of `url` with `CONCURRENCY` in flight (keep-alive), served by the process `pid`. */
async function load(url: string, headers: Record<string, string>, pid: number): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        })
        .on('error', reject);
    });
  let left = REQUESTS;
  const worker = async () => {
    while (left-- > 0) await one();
  };
  for (let i = 0; i < 500; i++) await one(); // warm-up
  const before = await usage(pid);
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const after = await usage(pid);
  agent.destroy();
  return { rate: REQUESTS / seconds, cpuMicros: ((after.cpu - before.cpu) * 1e6) / REQUESTS };
}

/** Opens `count` sockets with `open`, then measures rounds of `fire()` until every socket got a message. */
async function fanOut(sockets: WebSocket[], fire: () => Promise<void>, accept: (data: string) => boolean) {
  const delivery: number[] = [];
  let total = 0;
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    const started = performance.now();
    const all = Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            const onMessage = (data: WebSocket.RawData) => {
              if (!accept(data.toString())) return;
              delivery.push(performance.now() - started);
              ws.off('message', onMessage);
              resolve();
            };
            ws.on('message', onMessage);
          }),
      ),
    );
    await fire();
    await all;
    total += performance.now() - started;
  }
  return { meanMs: total / FANOUT_ROUNDS, p95Ms: percentile(delivery, 95) };
}

const open = (url: string, hello?: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    ws.once('open', () => {
      if (!hello) return resolve(ws);
      ws.send(hello);
      ws.once('message', () => resolve(ws)); // the snapshot
    });
  });

export default async function run(): Promise<BenchResult> {
  const db = await createBenchDatabase('api');
  const pool = new pg.Pool({ connectionString: db.url });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-api-'));
  const closers: (() => Promise<unknown>)[] = [
    () => db.drop(),
    () => rm(dataDir, { recursive: true }),
    () => pool.end(),
  ];
  try {
    await addFacility(pool, { id: 'bench', name: 'Bench', region: 'r', timezone: 'Europe/Berlin' });
    // Set-up SQL (docs/DATABASE.md: benchmarks may keep their own): resolved alerts over 100 days.
    await pool.query(
      `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, detail, raised_at, occurred_at,
         last_seen_at, resolved_at, resolved_by, outcome)
       SELECT gen_random_uuid(), 'bench', (ARRAY['fall','sos','fire','device_offline'])[1 + i % 4],
         (ARRAY['critical','high','warning','info'])[1 + i % 4], 'resolved', 'location:l' || i, 'bench',
         t, t, t, t + interval '1 minute', 'bench', 'assisted'
       FROM generate_series(1, $1) AS i, LATERAL (SELECT now() - i * interval '86 seconds' AS t) AS x`,
      [ALERTS],
    );
    await pool.query('ANALYZE alerts');
    const { gateway, api, alertsAccount } = await startApiStack(pool, db.url, dataDir, closers);
    const officer = (await createToken(pool, { role: 'safety-officer', facility: 'bench', label: 'bench' })).token;
    const display = (await createToken(pool, { role: 'display', facility: 'bench', label: 'wall' })).token;
    const auth = { authorization: `Bearer ${officer}` };

    // (1) overhead of the framework, auth and role check, each server in its own process: against bare node:http
    // answering the same bytes (body and the api's security headers), the same JSON alone, and one fastify route
    // answering the same bytes.
    const me = await fetch(`${api.url}/api/v1/me`, { headers: auth });
    const body = await me.text();
    const headers = [...me.headers].filter(
      ([name]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(name),
    );
    const servers = {
      sameBytes: await spawnPart('http', { body, headers }),
      fastify: await spawnPart('fastify', { body, headers }),
      jsonOnly: await spawnPart('http', { body, headers: [['content-type', 'application/json; charset=utf-8']] }),
    };
    for (const server of Object.values(servers)) closers.push(() => server.close());
    // In this order each round: the api right after the server it is measured against.
    const targets = [
      ['sameBytes', servers.sameBytes.ready.url as string, servers.sameBytes.pid],
      ['api', `${api.url}/api/v1/me`, api.pid],
      ['fastify', servers.fastify.ready.url as string, servers.fastify.pid],
      ['jsonOnly', servers.jsonOnly.ready.url as string, servers.jsonOnly.pid],
    ] as const;
    const runs = { sameBytes: [] as Load[], api: [] as Load[], fastify: [] as Load[], jsonOnly: [] as Load[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url, pid] of targets) runs[name].push(await load(url, auth, pid));
    }
    /** The median over rounds of `of`'s rate, or of its requests per CPU-second, ÷ that of `against` in the same round. */
    const pairedRatio = (of: Load[], against: Load[], pick: (r: Load) => number) =>
      percentile(
        of.map((r, i) => pick(r) / pick(against[i]!)),
        50,
      );
    const perCpuSecond = (r: Load) => 1e6 / r.cpuMicros;
    const median = (of: Load[], pick: (r: Load) => number) => percentile(of.map(pick), 50);
    const cpuRow = (metric: string, of: Load[], against: Load[], goal?: string) => ({
      metric,
      value: median(of, perCpuSecond),
      unit: 'req/CPU-s',
      ceiling: median(against, perCpuSecond),
      ratio: pairedRatio(of, against, perCpuSecond),
      ...(goal ? { goal } : {}),
    });
    const list = (of: Load[]) => of.map((r) => r.cpuMicros.toFixed(1)).join(', ');

    // (2) the alert list, sequential requests.
    const latencies = async (pathOf: (i: number) => string) => {
      const times: number[] = [];
      for (let i = 0; i < LIST_REQUESTS; i++) {
        const started = performance.now();
        const res = await fetch(`${api.url}${pathOf(i)}`, { headers: auth });
        await res.arrayBuffer();
        times.push(performance.now() - started);
      }
      return percentile(times, 99);
    };
    const first = await fetch(`${api.url}/api/v1/alerts?facility=bench&limit=100`, { headers: auth });
    const cursor = ((await first.json()) as { nextCursor: string }).nextCursor;
    const listP99 = await latencies(() => '/api/v1/alerts?facility=bench&limit=100');
    const filteredP99 = await latencies(() => '/api/v1/alerts?facility=bench&priority=critical&rule=fall&limit=100');
    const cursorP99 = await latencies(() => `/api/v1/alerts?facility=bench&limit=100&cursor=${cursor}`);

    // (3) fan-out of one alert event: the api's stream vs a raw ws broadcast loop.
    const raw = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => raw.once('listening', resolve));
    closers.push(() => new Promise((resolve) => raw.close(resolve)));
    const rawPort = (raw.address() as { port: number }).port;
    const rawSockets = await Promise.all(Array.from({ length: SOCKETS }, () => open(`ws://127.0.0.1:${rawPort}`)));
    closers.push(async () => rawSockets.forEach((ws) => ws.terminate()));
    const rawFan = await fanOut(
      rawSockets,
      async () => {
        const payload = JSON.stringify({ type: 'alert', n: Math.random() });
        for (const client of raw.clients) client.send(payload);
      },
      () => true,
    );
    const hello = JSON.stringify({ type: 'hello', token: display });
    const streamUrl = `${api.url.replace(/^http/, 'ws')}${STREAM_PATH}`;
    const sockets: WebSocket[] = [];
    for (let i = 0; i < SOCKETS; i += 50) {
      sockets.push(
        ...(await Promise.all(Array.from({ length: Math.min(50, SOCKETS - i) }, () => open(streamUrl, hello)))),
      );
    }
    closers.push(async () => sockets.forEach((ws) => ws.terminate()));
    const publisher = await mqtt.connectAsync(gateway.url, {
      username: alertsAccount.id,
      password: alertsAccount.secret,
      clientId: 'bench-alerts',
      protocolVersion: 4,
    });
    closers.push(() => publisher.endAsync());
    let eventId = 1_000_000;
    const apiFan = await fanOut(
      sockets,
      async () => {
        const now = new Date().toISOString();
        const alert = makeAlert({
          facility: 'bench',
          rule: 'sos',
          subject: `location:fan-${eventId}`,
          resident: null,
          device: null,
          location: null,
          detail: 'sos pressed',
        });
        const event: AlertEvent = { eventId: ++eventId, event: 'raised', at: now, actor: null, alert };
        await publisher.publishAsync(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), { qos: 1 });
      },
      (data) => data.includes('"type":"alert"'),
    );

    return {
      name: 'api',
      rows: [
        cpuRow('GET /api/v1/me ÷ bare http, same body and headers, per server CPU', runs.api, runs.sameBytes, '≥ 0.9'),
        cpuRow('GET /api/v1/me ÷ bare http, same body, no security headers', runs.api, runs.jsonOnly),
        cpuRow('one fastify route, same bytes ÷ bare http (the framework)', runs.fastify, runs.sameBytes),
        {
          metric: 'GET /api/v1/me throughput ÷ bare http, same bytes',
          value: median(runs.api, (r) => r.rate),
          unit: 'req/s',
          ceiling: median(runs.sameBytes, (r) => r.rate),
          ratio: pairedRatio(runs.api, runs.sameBytes, (r) => r.rate),
        },
        { metric: `alert list, ${ALERTS} alerts, p99`, value: listP99, unit: 'ms', goal: '≤ 50' },
        { metric: 'alert list filtered (priority, rule), p99', value: filteredP99, unit: 'ms', goal: '≤ 50' },
        { metric: 'alert list, cursor page, p99', value: cursorP99, unit: 'ms', goal: '≤ 50' },
        {
          metric: `fan-out of one event to ${SOCKETS} sockets`,
          value: apiFan.meanMs,
          unit: 'ms',
          ceiling: rawFan.meanMs,
          ratio: rawFan.meanMs / apiFan.meanMs,
          goal: '≥ 0.5',
        },
        { metric: 'fan-out delivery p95', value: apiFan.p95Ms, unit: 'ms', ceiling: rawFan.p95Ms },
      ],
      notes: [
        `${REQUESTS} requests a run, ${CONCURRENCY} in flight, keep-alive, from this process; every server in a process of its own; ${ROUNDS} rounds of same bytes, api, fastify, JSON only; values are medians over the rounds, ratios the median of each round's ratio (the speed of the shared machine drifts between rounds, less within one)`,
        `server CPU per request: user + system time of the server's process (/proc, 10 ms ticks) over the run ÷ requests; req/CPU-s is its inverse, what one core of the server answers (µs by round: same bytes ${list(runs.sameBytes)}; api ${list(runs.api)}; fastify ${list(runs.fastify)}; JSON only ${list(runs.jsonOnly)})`,
        'throughput is bounded by the load generator (one Node thread, near one core) rather than the servers, so it is shown without a goal',
        `${LIST_REQUESTS} sequential list requests each; ${FANOUT_ROUNDS} fan-out rounds (event published on the broker, received by every socket)`,
      ],
    };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
