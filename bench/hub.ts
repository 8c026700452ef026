// `npm run bench -- hub`: the regional hub's ingest rate ÷ a bare subscriber's on the same Mosquitto (goal ≥ 0.5).
// Both drain the same backlog of region alert events from a durable MQTT 5 session on a shared subscription.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import pg from 'pg';
import { start } from '@vigil/hub';
import { regionSharedFilter, regionTopic, type RegionAlertEvent } from '@vigil/protocol';
import { Mosquitto } from '../tests/gateway/mosquitto.js';
import { createBenchDatabase } from './lib-database.js';
import type { BenchResult } from './report.js';

const MESSAGES = Number(process.env.VIGIL_BENCH_HUB_MESSAGES ?? 20_000);
const FACILITIES = 50;
const WINDOW = 500;

function event(i: number): { topic: string; payload: string } {
  const at = new Date(Date.UTC(2026, 10, 19) + i * 1000).toISOString();
  const body: RegionAlertEvent = {
    eventId: Math.floor(i / FACILITIES) + 1,
    event: 'raised',
    at,
    alertId: randomUUID(),
    rule: 'sos',
    priority: 'critical',
    status: 'open',
    resident: 'R-0123456789',
    device: 'btn-1',
    location: 'room-1',
    drill: false,
    escalationLevel: 0,
    raisedAt: at,
    acknowledgedAt: null,
    resolvedAt: null,
  };
  return { topic: regionTopic(`f-${i % FACILITIES}`, 'alert-event'), payload: JSON.stringify(body) };
}

/** Publishes the backlog at QoS 1, `WINDOW` in flight, while the consumer's session is offline. */
async function publishBacklog(url: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: 'bench-facility', clean: true });
  for (let i = 0; i < MESSAGES; i += WINDOW) {
    const batch = Array.from({ length: Math.min(WINDOW, MESSAGES - i) }, (_, k) => event(i + k));
    await Promise.all(batch.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
  }
  await client.endAsync();
}

/** A plain mqtt.js MQTT 5 subscriber in the shared group `bare`: seconds to receive the whole backlog. */
async function bareDrain(url: string): Promise<number> {
  const options = {
    protocolVersion: 5 as const,
    clientId: 'bench-bare',
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  };
  const first = await mqtt.connectAsync(url, options);
  await first.subscribeAsync(regionSharedFilter('bare'), { qos: 1 });
  await first.endAsync();
  await publishBacklog(url);
  const started = performance.now();
  const client = mqtt.connect(url, options);
  let received = 0;
  await new Promise<void>((resolve) => client.on('message', () => ++received === MESSAGES && resolve()));
  const seconds = (performance.now() - started) / 1000;
  await client.unsubscribeAsync(regionSharedFilter('bare'));
  await client.endAsync();
  return seconds;
}

/** `workers` hub workers (shared group `hub`): seconds until the whole backlog is in the regional tables. */
async function hubDrain(url: string, databaseUrl: string, workers: number): Promise<number> {
  const db = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  await db.query('TRUNCATE region_alert_events, region_facilities');
  const options = (id: number) => ({
    databaseUrl,
    mqtt: { url, username: 'hub', password: 'bench', group: 'hub', workerId: `bench-${workers}-${id}` },
  });
  const ids = Array.from({ length: workers }, (_, i) => i);
  for (const hub of await Promise.all(ids.map((i) => start(options(i))))) await hub.close();
  await publishBacklog(url);
  const started = performance.now();
  const hubs = await Promise.all(ids.map((i) => start(options(i))));
  for (;;) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM region_alert_events');
    if (rows[0]!.n >= MESSAGES) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const hub of hubs) await hub.close();
  await db.end();
  return seconds;
}

export default async function run(): Promise<BenchResult> {
  const broker = await Mosquitto.create(() => ['allow_anonymous true', 'max_queued_messages 0']);
  await broker.start();
  const database = await createBenchDatabase('hub');
  try {
    const bare = MESSAGES / (await bareDrain(broker.url));
    const one = MESSAGES / (await hubDrain(broker.url, database.url, 1));
    const two = MESSAGES / (await hubDrain(broker.url, database.url, 2));
    return {
      name: 'hub',
      rows: [
        { metric: 'bare MQTT 5 subscriber', value: bare, unit: 'msg/s' },
        { metric: 'hub, 1 worker', value: one, unit: 'msg/s', ceiling: bare, ratio: one / bare, goal: '≥ 0.5' },
        { metric: 'hub, 2 workers', value: two, unit: 'msg/s', ceiling: bare, ratio: two / bare, goal: '≥ 0.5' },
      ],
      notes: [
        `${MESSAGES} region alert events of ${FACILITIES} facilities, queued in a durable session while the consumer was offline, then drained (Mosquitto 2, plain TCP, one broker for both)`,
        'the hub writes each message (one statement) before its PUBACK; the bare subscriber only counts',
      ],
    };
  } finally {
    await database.drop();
    await broker.destroy();
  }
}
