// End-to-end stage of bench/ingest.ts: publishers → broker → subscriber, bare aedes against the gateway,
// and gateway → ingest → TimescaleDB. Everything runs in this one process, the same way for each.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPool, silentLogger, upsertServiceAccount } from '@vigil/core';
import { start as startGateway } from '@vigil/gateway';
import { start as startIngest, ingestTopics } from '@vigil/ingest';
import mqtt from 'mqtt';
import { publishAll, type StreamMessage } from '../tests/ingest/stream-fixture.js';
import { startBareBroker } from './lib-bare-broker.js';

export interface Rate {
  messagesPerSecond: number;
  delivered: number;
  seconds: number;
}

const PUBLISHERS = 4;

/** Splits the stream over `PUBLISHERS` connections, each publishing its share with 100 messages in flight. */
async function publish(
  url: string,
  login: (i: number) => { username: string; password: string },
  messages: StreamMessage[],
) {
  const shares = Array.from({ length: PUBLISHERS }, (_, i) => messages.filter((_, n) => n % PUBLISHERS === i));
  await Promise.all(shares.map((share, i) => publishAll(url, { ...login(i), clientId: `bench-pub-${i}` }, share, 100)));
}

/** Waits until `count()` reaches `total` or stops moving for 3 s; returns the time of the last progress. */
async function settle(count: () => number, total: number): Promise<number> {
  let last = count();
  let lastAt = performance.now();
  while (count() < total && performance.now() - lastAt < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (count() !== last) [last, lastAt] = [count(), performance.now()];
  }
  return lastAt;
}

/** A plain mqtt.js subscriber (persistent session, QoS 1, PUBACK on receipt) counting what it receives. */
async function countingSubscriber(url: string, login: { username: string; password: string }) {
  const client = await mqtt.connectAsync(url, { ...login, clientId: login.username, clean: false });
  let received = 0;
  client.on('message', () => received++);
  await client.subscribeAsync(ingestTopics(), { qos: 1 });
  return {
    count: () => received,
    // Unsubscribe first: a persistent session left behind would make the broker queue every later message.
    close: async () => {
      await client.unsubscribeAsync(ingestTopics());
      await client.endAsync();
    },
  };
}

async function measure(
  run: (messages: StreamMessage[]) => Promise<void>,
  count: () => number,
  messages: StreamMessage[],
): Promise<Rate> {
  const started = performance.now();
  await run(messages);
  const end = await settle(count, messages.length);
  return { messagesPerSecond: count() / ((end - started) / 1000), delivered: count(), seconds: (end - started) / 1000 };
}

/** The ceiling: bare aedes (in-memory, no auth, nothing on disk) forwarding to a plain subscriber. */
export async function bareBrokerRate(messages: StreamMessage[]): Promise<Rate> {
  const bare = await startBareBroker();
  const url = bare.url;
  const login = { username: 'bench-sub', password: 'x' };
  const subscriber = await countingSubscriber(url, login);
  try {
    return await measure((m) => publish(url, () => login, m), subscriber.count, messages);
  } finally {
    await subscriber.close();
    await bare.close();
  }
}

/** The real gateway, forwarding either to a plain subscriber or to ingest (rows in TimescaleDB). */
export async function gatewayRates(
  databaseUrl: string,
  messages: StreamMessage[],
  shift: (m: StreamMessage[]) => StreamMessage[],
) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-gw-'));
  const gateway = await startGateway({ port: 0, databaseUrl, dataDir, authCacheTtlMs: 600_000 });
  const pool = createPool(databaseUrl, silentLogger(), { max: 2 });
  try {
    const sim = await upsertServiceAccount(pool, 'bench-sim', 'simulator');
    const publisher = () => ({ username: sim.id, password: sim.secret });
    const plain = await upsertServiceAccount(pool, 'bench-plain', 'alerts');
    const subscriber = await countingSubscriber(gateway.url, { username: plain.id, password: plain.secret });
    const forward = await measure((m) => publish(gateway.url, publisher, m), subscriber.count, messages);
    await subscriber.close();

    const account = await upsertServiceAccount(pool, 'bench-ingest', 'ingest');
    const ingest = await startIngest({
      databaseUrl,
      mqtt: { url: gateway.url, username: account.id, password: account.secret },
      cron: false,
    });
    // Fresh ts for the same messages, so ingest stores them rather than skipping duplicates.
    const again = shift(messages);
    const stats = () => ingest.stats().committed;
    const e2e = await measure((m) => publish(gateway.url, publisher, m), stats, again);
    const rows = ingest.stats().rowsInserted;
    await ingest.close();
    return { forward, e2e: { ...e2e, rowsPerSecond: rows / e2e.seconds, rows } };
  } finally {
    await pool.end();
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
