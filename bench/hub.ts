// `npm run bench -- hub`: the regional hub's ingest rate (alert events from many facilities through an MQTT 5 shared
// subscription into the regional database, each written before its PUBACK) ÷ a bare MQTT 5 shared-subscription
// subscriber's rate on the same Mosquitto, same publisher, same messages (goal ≥ 0.5), with one and two workers.
// Completion is counted (messages received, rows written), a run that stops making progress fails loudly, and
// everything it opened is closed whatever happens. BENCH_HUB_MESSAGES scales it (default 20 000).
import { performance } from 'node:perf_hooks';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { start as startHub, type HubHandle } from '@vigil/hub';
import { regionSharedFilter, regionTopic, type RegionAlertEvent } from '@vigil/protocol';
import { Mosquitto } from '../tests/gateway/mosquitto.js';
import { createBenchDatabase } from './lib-database.js';
import type { BenchResult } from './report.js';

const MESSAGES = Number(process.env.BENCH_HUB_MESSAGES ?? 20_000);
const FACILITIES = 20;
/** Publishes in flight at once (mqtt.js queues the rest). */
const WINDOW = 1000;
/** A run that makes no progress for this long has failed (a lost message, a stuck worker). */
const STALL_MS = 30_000;

const connect = (url: string, clientId: string, clean = true): Promise<MqttClient> =>
  mqtt.connectAsync(url, { clientId, protocolVersion: 5, clean, reconnectPeriod: 0, connectTimeout: 10_000 });

/** Alert events of `FACILITIES` facilities, ids from `firstId` on: each a distinct (facility, event id) row. */
function messages(firstId: number): Array<{ topic: string; payload: string }> {
  const at = new Date().toISOString();
  return Array.from({ length: MESSAGES }, (_, i) => {
    const body: RegionAlertEvent = {
      eventId: firstId + i,
      event: 'raised',
      at,
      alertId: `00000000-0000-4000-8000-${String(firstId + i).padStart(12, '0')}`,
      rule: 'sos',
      priority: 'critical',
      status: 'open',
      resident: 'R-0000000001',
      device: 'btn-1',
      location: 'room-1',
      drill: false,
      escalationLevel: 0,
      raisedAt: at,
      acknowledgedAt: null,
      resolvedAt: null,
    };
    return { topic: regionTopic(`f${i % FACILITIES}`, 'alert-event'), payload: JSON.stringify(body) };
  });
}

async function publishAll(url: string, batch: Array<{ topic: string; payload: string }>): Promise<void> {
  const client = await connect(url, `bench-pub-${process.pid}`);
  try {
    for (let i = 0; i < batch.length; i += WINDOW)
      await Promise.all(batch.slice(i, i + WINDOW).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
  } finally {
    await client.endAsync();
  }
}

/** Waits until `count()` reaches `target`; throws when it stops moving for `STALL_MS`, naming how far it got. */
async function untilCounted(what: string, count: () => Promise<number> | number, target: number): Promise<void> {
  let last = -1;
  let movedAt = performance.now();
  for (;;) {
    const n = await count();
    if (n >= target) return;
    if (n !== last) [last, movedAt] = [n, performance.now()];
    else if (performance.now() - movedAt > STALL_MS) throw new Error(`${what}: stalled at ${n} of ${target}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Messages a second from the first publish until `count()` reaches every message. */
async function timed(
  url: string,
  what: string,
  batch: Array<{ topic: string; payload: string }>,
  count: () => Promise<number> | number,
) {
  const started = performance.now();
  const published = publishAll(url, batch);
  await Promise.all([published, untilCounted(what, count, batch.length)]);
  return batch.length / ((performance.now() - started) / 1000);
}

/** The ceiling: a plain MQTT 5 client on its own shared subscription, acknowledging on receipt, counting. */
async function bare(url: string, batch: Array<{ topic: string; payload: string }>): Promise<number> {
  const client = await connect(url, `bench-bare-${process.pid}`);
  try {
    let received = 0;
    client.on('message', () => received++);
    await client.subscribeAsync(regionSharedFilter('bench-bare'), { qos: 1 });
    return await timed(url, 'bare subscriber', batch, () => received);
  } finally {
    await client.endAsync();
  }
}

/**
 * `workers` hub workers of one group, each a durable session, writing into the database before each PUBACK. Worker
 * ids are reused between runs: Mosquitto keeps giving a share of the group's messages to a closed durable session.
 */
async function hub(url: string, databaseUrl: string, pool: pg.Pool, workers: number, firstId: number) {
  const batch = messages(firstId);
  const hubs: HubHandle[] = [];
  try {
    for (let w = 0; w < workers; w++)
      hubs.push(
        await startHub({
          databaseUrl,
          mqtt: { url, username: 'hub', password: 'hub', group: 'bench-hub', workerId: `bench-${w}` },
        }),
      );
    const written = async () =>
      Number(
        (await pool.query('SELECT count(*) AS n FROM region_alert_events WHERE event_id >= $1', [firstId])).rows[0].n,
      );
    return await timed(url, `hub with ${workers} worker(s)`, batch, written);
  } finally {
    for (const h of hubs) await h.close();
  }
}

export default async function run(): Promise<BenchResult> {
  const mosquitto = await Mosquitto.create(undefined, ['max_inflight_messages 0', 'max_queued_messages 1000000']);
  await mosquitto.start();
  const db = await createBenchDatabase('hub');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const ceiling = await bare(mosquitto.url, messages(1));
    const one = await hub(mosquitto.url, db.url, pool, 1, 1);
    const two = await hub(mosquitto.url, db.url, pool, 2, 1 + MESSAGES);
    const rows = Number((await pool.query('SELECT count(*) AS n FROM region_alert_events')).rows[0].n);
    if (rows !== 2 * MESSAGES) throw new Error(`hub database holds ${rows} events, expected ${2 * MESSAGES}`);
    return {
      name: 'hub',
      rows: [
        { metric: 'bare MQTT 5 shared-subscription subscriber', value: ceiling, unit: 'msg/s' },
        {
          metric: 'hub ingest, 1 worker ÷ bare subscriber',
          value: one,
          unit: 'msg/s',
          ceiling,
          ratio: one / ceiling,
          goal: '≥ 0.5',
        },
        { metric: 'hub ingest, 2 workers ÷ bare subscriber', value: two, unit: 'msg/s', ceiling, ratio: two / ceiling },
      ],
      notes: [
        `${MESSAGES} QoS 1 alert events of ${FACILITIES} facilities per run, one publisher (${WINDOW} in flight), Debian's Mosquitto 2.0 (no in-flight limit, 1 000 000 queued), anonymous, no TLS; rate = messages ÷ time from the first publish until all were received (bare) or written (hub, counted in region_alert_events)`,
        'hub = `vigil hub` workers (the hub package, in this process): durable MQTT 5 session, messages written idempotently in batches (what arrived during the previous write, one transaction, the alert events in one statement), each acknowledged after its batch commits; the database is the local cluster on the same two cores; with two workers the publisher is the limit',
        `every event stored exactly once: ${rows} rows for ${2 * MESSAGES} events`,
      ],
    };
  } finally {
    await pool.end();
    await db.drop();
    await mosquitto.destroy();
  }
}
