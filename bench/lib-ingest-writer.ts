// Writer stage of bench/ingest.ts: the real pipeline fed from memory, against a raw COPY of the same rows.
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { createPool, silentLogger, systemClock, type Pool } from '@vigil/core';
import { from as copyFrom } from 'pg-copy-streams';
import { Registry } from 'prom-client';
import type { WriteMethod } from '../ingest/src/config.js';
import { DeviceDirectory } from '../ingest/src/devices.js';
import { createIngestMetrics } from '../ingest/src/metrics.js';
import { IngestPipeline } from '../ingest/src/pipeline.js';
import { prepareMessage, topicDeviceId } from '../ingest/src/prepare.js';
import { copyText, TABLES, type TableName } from '@vigil/store';
import { buildRows } from '../ingest/src/rows.js';
import type { StreamMessage } from '../tests/ingest/stream-fixture.js';

export interface Inbound {
  topic: string;
  payload: Buffer;
}

export const toInbound = (messages: StreamMessage[]): Inbound[] =>
  messages.map((m) => ({ topic: m.topic, payload: Buffer.from(m.payload) }));

export async function truncateIngestTables(pool: Pool): Promise<void> {
  await pool.query('TRUNCATE vitals, environment, device_events, device_status, dead_letters');
}

export async function rowCount(pool: Pool): Promise<number> {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*) FROM vitals) + (SELECT count(*) FROM environment)
          + (SELECT count(*) FROM device_events) + (SELECT count(*) FROM device_status) AS n`,
  );
  return Number(rows[0].n);
}

/**
 * Validate + batch + write: every message offered to the real pipeline as fast as it takes them (as
 * mqtt.js would), timed until the last batch has committed. Returns rows per second.
 */
export async function runWriter(
  url: string,
  messages: Inbound[],
  options: { batchSize: number; flushMs: number; writeMethod: WriteMethod; maxInFlight?: number },
): Promise<{ rowsPerSecond: number; rows: number; seconds: number; flushMedianMs: number }> {
  const pool = createPool(url, silentLogger(), { max: 4 });
  await truncateIngestTables(pool);
  const devices = new DeviceDirectory(pool, systemClock);
  await devices.load(messages.map((m) => topicDeviceId(m.topic)!));
  const registry = new Registry();
  const pipeline = new IngestPipeline({
    pool,
    devices,
    clock: systemClock,
    log: silentLogger(),
    metrics: createIngestMetrics(registry),
    bufferLimit: 20_000,
    ...options,
  });
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let i = 0;
    const step = () => {
      if (i === messages.length) return resolve();
      pipeline.offer({ ...messages[i++]!, ack: null }, () => (i % 256 ? step() : setImmediate(step)));
    };
    step();
  });
  await pipeline.flush();
  const seconds = (performance.now() - started) / 1000;
  const rows = pipeline.stats().rowsInserted;
  const flush = (await registry.getSingleMetric('vigil_ingest_flush_seconds')!.get()) as {
    values: Array<{ value: number; labels: { le?: number | string }; metricName?: string }>;
  };
  await pipeline.close(1000);
  await pool.end();
  return { rowsPerSecond: rows / seconds, rows, seconds, flushMedianMs: medianFromHistogram(flush.values) * 1000 };
}

function medianFromHistogram(values: Array<{ value: number; labels: { le?: number | string }; metricName?: string }>) {
  const buckets = values.filter((v) => v.metricName?.endsWith('_bucket') && v.labels.le !== '+Inf');
  const count = values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  return Number(buckets.find((b) => b.value >= count / 2)?.labels.le ?? NaN);
}

/**
 * The ceiling: the same rows, already built (validation, row building and COPY text are not timed), COPYed
 * straight into the same hypertables in the same batches, one transaction per batch, on one connection.
 */
export async function runRawCopy(url: string, messages: Inbound[], batchSize: number) {
  const pool = createPool(url, silentLogger(), { max: 2 });
  await truncateIngestTables(pool);
  const devices = new DeviceDirectory(pool, systemClock);
  await devices.load(messages.map((m) => topicDeviceId(m.topic)!));
  const now = Date.now();
  const batches = [];
  for (let i = 0; i < messages.length; i += batchSize) {
    const prepared = messages
      .slice(i, i + batchSize)
      .map((m) => prepareMessage(m.topic, m.payload, now, devices.peek(topicDeviceId(m.topic)!) ?? null));
    batches.push(buildRows(prepared, now));
  }
  const client = await pool.connect();
  const started = performance.now();
  let rows = 0;
  for (const batch of batches) {
    // One transaction per batch, as the writer commits: the same number of WAL flushes on both sides.
    await client.query('BEGIN');
    for (const name of ['vitals', 'environment', 'device_events', 'device_status'] as TableName[]) {
      if (!batch.rows[name].length) continue;
      const columns = TABLES[name].columns.map(([c]) => c).join(', ');
      await streamPipeline(
        Readable.from([copyText(batch.rows[name])]),
        client.query(copyFrom(`COPY ${name} (${columns}) FROM STDIN`)),
      );
      rows += batch.rows[name].length;
    }
    await client.query('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  client.release();
  await pool.end();
  return { rowsPerSecond: rows / seconds, rows, seconds };
}

/**
 * Feeds the pipeline one round of `make(round)` messages every 100 ms for `seconds` and samples the process
 * RSS every 5 s (MiB).
 */
export async function runSoak(url: string, make: (round: number) => Inbound[], seconds: number) {
  const pool = createPool(url, silentLogger(), { max: 4 });
  await truncateIngestTables(pool);
  const devices = new DeviceDirectory(pool, systemClock);
  const pipeline = new IngestPipeline({
    pool,
    devices,
    clock: systemClock,
    log: silentLogger(),
    metrics: createIngestMetrics(new Registry()),
    batchSize: 2000,
    flushMs: 100,
    bufferLimit: 20_000,
    writeMethod: 'unnest',
  });
  const rss: number[] = [];
  const end = performance.now() + seconds * 1000;
  let round = 0;
  let nextSample = performance.now();
  while (performance.now() < end) {
    const tick = performance.now();
    for (const m of make(round++)) pipeline.offer({ ...m, ack: null }, () => {});
    if (tick >= nextSample) {
      rss.push(process.memoryUsage().rss / 2 ** 20);
      nextSample += 5000;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (performance.now() - tick))));
  }
  await pipeline.flush();
  const stored = pipeline.stats().committed;
  await pipeline.close(1000);
  await pool.end();
  return { rss, stored };
}
