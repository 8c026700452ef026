// `npm run bench -- dispatch`: the station's latency from an alert event to its work order and to the first
// notification. A real gateway, the dispatch service and a local webhook receiver in this process; alert events
// of 200 dwellings are published as the alerts service publishes them, one every 20 ms, and the time from each
// publish to its signed webhook arriving is measured on one clock. Its own database, dropped at the end.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import pg from 'pg';
import { start as startGateway } from '@vigil/gateway';
import { start as startDispatch } from '@vigil/dispatch';
import { INTERNAL_TOPICS, type AlertEvent } from '@vigil/protocol';
import { addDwelling, addEndpoint, addFacility, setFacilityKind, upsertServiceAccount } from '@vigil/store';
import { startHttpReceiver } from '../tests/dispatch/receivers.js';
import { makeAlert } from '../tests/api/fixture.js';
import { createBenchDatabase } from './lib-database.js';
import type { BenchResult } from './report.js';

const STATION = 'bench-station';
const DWELLINGS = 200;
const ALERTS = 300;
const EVERY_MS = 20;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

export default async function run(): Promise<BenchResult> {
  const db = await createBenchDatabase('dispatch');
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-dispatch-'));
  const receiver = await startHttpReceiver();
  const closers: (() => Promise<unknown>)[] = [() => db.drop(), () => rm(dataDir, { recursive: true, force: true })];
  try {
    await addFacility(pool, { id: STATION, name: '基准服务站', region: 'bench', timezone: 'Asia/Shanghai' });
    await setFacilityKind(pool, STATION, 'home-care');
    for (let i = 0; i < DWELLINGS; i++)
      await addDwelling(pool, { facility: STATION, id: `d${i}`, address: `测试路 ${i} 号`, district: '朝阳区' });
    await addEndpoint(pool, {
      facility: STATION,
      channel: 'webhook',
      target: { url: `${receiver.url}/hook`, secret: 's' },
    });

    const gateway = await startGateway({ port: 0, databaseUrl: db.url, dataDir, authCacheTtlMs: 600_000 });
    closers.unshift(() => gateway.close());
    const account = await upsertServiceAccount(pool, 'svc-dispatch', 'dispatch');
    const dispatch = await startDispatch({
      databaseUrl: db.url,
      mqtt: { url: gateway.url, username: account.id, password: account.secret },
    });
    closers.unshift(() => dispatch.close());
    const alerts = await upsertServiceAccount(pool, 'svc-alerts-bench', 'alerts');
    const publisher = await mqtt.connectAsync(gateway.url, {
      username: alerts.id,
      password: alerts.secret,
      clientId: 'bench-alerts',
      protocolVersion: 4,
    });
    closers.unshift(() => publisher.endAsync());

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const seen = new Set<number>();
    const collect = () => {
      receiver.received.forEach((r, i) => {
        if (seen.has(i)) return;
        seen.add(i);
        const alertId = (JSON.parse(r.body.toString()) as { workOrder: { alertId: string } }).workOrder.alertId;
        latencies.push(performance.now() - sentAt.get(alertId)!);
      });
    };
    for (let i = 0; i < ALERTS; i++) {
      const now = new Date().toISOString();
      const alert = makeAlert({ facility: STATION, rule: 'sos', location: `d${i % DWELLINGS}`, raisedAt: now });
      const event: AlertEvent = { eventId: i + 1, event: 'raised', at: now, actor: null, alert };
      sentAt.set(alert.id, performance.now());
      await publisher.publishAsync(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), { qos: 1 });
      collect();
      await sleep(EVERY_MS);
    }
    const deadline = Date.now() + 30_000;
    while (receiver.received.length < ALERTS && Date.now() < deadline) await sleep(50);
    collect();
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM work_orders');
    return {
      name: 'dispatch',
      rows: [
        { metric: 'work orders opened ÷ alerts', value: rows[0]!.n / ALERTS, unit: 'ratio', goal: '= 1' },
        { metric: 'notified ÷ alerts', value: latencies.length / ALERTS, unit: 'ratio', goal: '= 1' },
        { metric: 'alert → work order → first notification p50', value: percentile(latencies, 50), unit: 'ms' },
        {
          metric: 'alert → work order → first notification p99',
          value: percentile(latencies, 99),
          unit: 'ms',
          goal: '≤ 1000',
        },
      ],
      notes: [
        `${ALERTS} alert events of ${DWELLINGS} dwellings, one every ${EVERY_MS} ms, each to a signed webhook of the station`,
        'measured from the publish on vigil/internal/v1/alert-events to the webhook request at the local receiver',
      ],
    };
  } finally {
    await pool.end();
    await receiver.close();
    for (const close of closers) await close().catch(() => {});
  }
}
