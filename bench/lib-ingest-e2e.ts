// End-to-end stage of bench/ingest.ts: publishers → broker → subscriber, bare aedes against the gateway, and
// gateway → ingest → TimescaleDB, in two topologies:
// - deployed: every broker and subscriber in a process of its own (bench/lib-part-child.ts), as
//   docker-compose runs the services; the publishers in this process;
// - embedded: everything in this one process, as `vigil start` runs the services.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPool, silentLogger } from '@vigil/core';
import { upsertServiceAccount } from '@vigil/store';
import { start as startGateway } from '@vigil/gateway';
import { start as startIngest, ingestTopics } from '@vigil/ingest';
import { publishAll, type StreamMessage } from '../tests/ingest/stream-fixture.js';
import { startBareBroker } from './lib-bare-broker.js';
import { countingSubscriber } from './lib-counter.js';
import { spawnPart, type PartHandle, type PartRole, type PartStats } from './lib-parts.js';

export interface Rate {
  messagesPerSecond: number;
  delivered: number;
  seconds: number;
}

export interface EndToEnd {
  /** The ceiling: bare aedes forwarding to a plain subscriber. */
  bare: Rate;
  /** The gateway forwarding to a plain subscriber. */
  forward: Rate;
  /** The gateway forwarding to ingest, which stores the rows. */
  e2e: Rate & { rowsPerSecond: number; rows: number };
  /** A process per service only: CPU of the gateway and ingest processes during the end-to-end run (1 = one core). */
  cores?: { gateway: number; ingest: number };
}

type Login = { username: string; password: string };
type Count = () => number | Promise<number>;
const PUBLISHERS = 4;

/** Splits the stream over `PUBLISHERS` connections, each publishing its share with 100 messages in flight. */
async function publish(url: string, login: Login, messages: StreamMessage[]) {
  const shares = Array.from({ length: PUBLISHERS }, (_, i) => messages.filter((_, n) => n % PUBLISHERS === i));
  await Promise.all(shares.map((share, i) => publishAll(url, { ...login, clientId: `bench-pub-${i}` }, share, 100)));
}

/** Waits until `count()` reaches `total` or stops moving for 3 s; returns the time of the last progress. */
async function settle(count: Count, total: number): Promise<number> {
  let last = await count();
  let lastAt = performance.now();
  while (last < total && performance.now() - lastAt < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await count();
    if (now !== last) [last, lastAt] = [now, performance.now()];
  }
  return lastAt;
}

/** Publishes `messages` to `url` and times them until `count()` has seen all of them (or stopped moving). */
async function measure(url: string, login: Login, count: Count, messages: StreamMessage[]) {
  const started = performance.now();
  await publish(url, login, messages);
  const end = await settle(count, messages.length);
  const delivered = await count();
  const seconds = (end - started) / 1000;
  return { messagesPerSecond: delivered / seconds, delivered, seconds };
}

/** Service accounts for the gateway runs: the publishers (simulator role) and the two subscribers. */
async function accounts(databaseUrl: string) {
  const pool = createPool(databaseUrl, silentLogger(), { max: 1 });
  try {
    const login = async (name: string, role: 'simulator' | 'alerts' | 'ingest') => {
      const account = await upsertServiceAccount(pool, name, role);
      return { username: account.id, password: account.secret };
    };
    return {
      publisher: await login('bench-sim', 'simulator'),
      plain: await login('bench-plain', 'alerts'),
      ingest: await login('bench-ingest', 'ingest'),
    };
  } finally {
    await pool.end();
  }
}

/**
 * Ceiling, gateway and end to end with each broker and subscriber in a process of its own. `again` gives the
 * messages for the end-to-end run (fresh timestamps, so ingest stores them rather than skipping duplicates).
 * With `profileDir` every process writes a V8 CPU profile there (`<dir>/<role>/`).
 */
export async function deployedRates(
  databaseUrl: string,
  messages: StreamMessage[],
  again: StreamMessage[],
  profileDir?: string,
): Promise<EndToEnd> {
  const parts: PartHandle[] = [];
  const spawn = async (role: PartRole, options: unknown) => {
    const part = await spawnPart(role, options, profileDir);
    parts.push(part);
    return part;
  };
  /** A plain subscriber in a process of its own, and how many messages it has received. */
  const counter = async (url: string) => {
    const part = await spawn('counter', { url, ...logins.plain, topics: ingestTopics() });
    return { part, count: async () => (await part.request<{ received: number }>({ cmd: 'progress' })).received };
  };
  const logins = await accounts(databaseUrl);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-gw-'));
  try {
    const bareBroker = await spawn('bare', {});
    const bareUrl = bareBroker.ready.url as string;
    const bareSubscriber = await counter(bareUrl);
    const bare = await measure(bareUrl, logins.plain, bareSubscriber.count, messages);
    for (const part of parts.splice(0).reverse()) await part.close(); // the subscriber first, then its broker

    const gateway = await spawn('gateway', { port: 0, databaseUrl, dataDir, authCacheTtlMs: 600_000 });
    const url = gateway.ready.url as string;
    const plain = await counter(url);
    const forward = await measure(url, logins.publisher, plain.count, messages);
    await plain.part.close();

    const ingest = await spawn('ingest', { databaseUrl, mqtt: { url, ...logins.ingest }, cron: false });
    const progress = () => ingest.request<{ committed: number; rowsInserted: number }>({ cmd: 'progress' });
    const cpu = () => Promise.all([gateway, ingest].map((part) => part.request<PartStats>({ cmd: 'stats' })));
    await cpu(); // CPU counts from here
    const committed = async () => (await progress()).committed;
    const e2e = await measure(url, logins.publisher, committed, again);
    const [gatewayCpu, ingestCpu] = await cpu(); // over the run
    const { rowsInserted } = await progress();
    return {
      bare,
      forward,
      e2e: { ...e2e, rows: rowsInserted, rowsPerSecond: rowsInserted / e2e.seconds },
      cores: { gateway: gatewayCpu!.cpu, ingest: ingestCpu!.cpu },
    };
  } finally {
    for (const part of parts.reverse()) await part.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Ceiling, gateway and end to end with every broker, subscriber and publisher in this one process. */
export async function embeddedRates(
  databaseUrl: string,
  messages: StreamMessage[],
  again: StreamMessage[],
): Promise<EndToEnd> {
  const logins = await accounts(databaseUrl);
  const bareBroker = await startBareBroker();
  const bareSubscriber = await countingSubscriber({ url: bareBroker.url, ...logins.plain, topics: ingestTopics() });
  const bare = await measure(bareBroker.url, logins.plain, bareSubscriber.count, messages).finally(async () => {
    await bareSubscriber.close();
    await bareBroker.close();
  });

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-gw-'));
  const gateway = await startGateway({ port: 0, databaseUrl, dataDir, authCacheTtlMs: 600_000 });
  try {
    const subscriber = await countingSubscriber({ url: gateway.url, ...logins.plain, topics: ingestTopics() });
    const forward = await measure(gateway.url, logins.publisher, subscriber.count, messages);
    await subscriber.close();

    const ingest = await startIngest({ databaseUrl, mqtt: { url: gateway.url, ...logins.ingest }, cron: false });
    const e2e = await measure(gateway.url, logins.publisher, () => ingest.stats().committed, again);
    const rows = ingest.stats().rowsInserted;
    await ingest.close();
    return { bare, forward, e2e: { ...e2e, rowsPerSecond: rows / e2e.seconds, rows } };
  } finally {
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
