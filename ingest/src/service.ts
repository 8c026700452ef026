import {
  connectMqttService,
  createPool,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type MqttService,
  type MqttLogin,
} from '@vigil/core';
import { DEVICE_PUBLISH_KINDS, deviceTopicFilter } from '@vigil/protocol';
import { Registry } from 'prom-client';
import { INGEST_DEFAULTS, type WriteMethod } from './config.js';
import { DeviceDirectory } from './devices.js';
import { createJobs, type JobName, type JobResults } from './jobs/scheduler.js';
import { createIngestMetrics } from './metrics.js';
import { IngestPipeline, type PipelineStats } from './pipeline.js';

export interface IngestOptions {
  databaseUrl: string;
  mqtt: MqttLogin;
  /** Subscribe as `$share/<group>/…` so that several ingest workers split the stream. */
  shareGroup?: string;
  logger?: Logger;
  metrics?: Registry;
  clock?: Clock;
  /** Messages per transaction (default 2000). */
  batchSize?: number;
  /** A partial batch is written once its oldest message has waited this long (default 100 ms). */
  flushMs?: number;
  /** Unacknowledged messages held before ingest stops reading from the broker (default 20 000). */
  bufferLimit?: number;
  writeMethod?: WriteMethod;
  /** Days of raw readings kept (default 180). */
  retentionDays?: number;
  /** Schedule the rollup and retention jobs (default true); `runJob` works either way. */
  cron?: boolean;
  rollupCron?: string;
  retentionCron?: string;
  /** How long a known device's registry entry is cached (default 60 s). */
  deviceCacheTtlMs?: number;
  /** Database connections (default 4). */
  poolSize?: number;
}

export interface IngestStats extends PipelineStats {
  brokerConnected: boolean;
}

export interface IngestHandle {
  /** Writes and acknowledges what is buffered, then disconnects (the broker keeps the session). */
  close(): Promise<void>;
  /** Writes everything buffered now; resolves once it is committed and acknowledged. */
  flush(): Promise<void>;
  stats(): IngestStats;
  /** For readiness probes: can ingest reach the database and the broker? */
  ready(): { database: boolean; broker: boolean };
  /** Runs a scheduled job now (a run already under way is joined, not repeated). */
  runJob<N extends JobName>(name: N): Promise<JobResults[N]>;
  metrics: Registry;
}

/** The subscription filters: every device's reading, event and status topics, in all facilities. */
export function ingestTopics(shareGroup?: string): string[] {
  const prefix = shareGroup ? `$share/${shareGroup}/` : '';
  return DEVICE_PUBLISH_KINDS.map((kind) => prefix + deviceTopicFilter(kind));
}

/**
 * Starts the ingest service: a persistent MQTT session on every device's reading, event and status
 * topics, validated and batched into TimescaleDB, with the rollup and retention jobs. Resolves once
 * subscribed.
 */
export async function start(options: IngestOptions): Promise<IngestHandle> {
  const log = (options.logger ?? silentLogger()).child({ module: 'ingest' });
  const clock = options.clock ?? systemClock;
  const registry = options.metrics ?? new Registry();
  const metrics = createIngestMetrics(registry);
  const pool = createPool(options.databaseUrl, log, {
    max: options.poolSize ?? 4,
    application_name: 'vigil-ingest',
  });
  const pipeline = new IngestPipeline({
    pool,
    devices: new DeviceDirectory(pool, clock, options.deviceCacheTtlMs ?? INGEST_DEFAULTS.deviceCacheTtlMs),
    clock,
    log,
    metrics,
    batchSize: options.batchSize ?? INGEST_DEFAULTS.batchSize,
    flushMs: options.flushMs ?? INGEST_DEFAULTS.flushMs,
    bufferLimit: options.bufferLimit ?? INGEST_DEFAULTS.bufferLimit,
    writeMethod: options.writeMethod ?? INGEST_DEFAULTS.writeMethod,
  });
  const jobs = createJobs({
    pool,
    clock,
    log,
    metrics,
    retentionDays: options.retentionDays ?? INGEST_DEFAULTS.retentionDays,
    cron: options.cron ?? true,
    rollupCron: options.rollupCron ?? INGEST_DEFAULTS.rollupCron,
    retentionCron: options.retentionCron ?? INGEST_DEFAULTS.retentionCron,
  });
  let subscriber: MqttService;
  try {
    // A durable session (client id = the service account unless configured): the pipeline calls each message's
    // `ack` once the batch holding it has committed and holds `next` while its buffer is full; the client sends a
    // committed batch's PUBACKs in one write, in arrival order [MQTT-4.6.0-2].
    subscriber = await connectMqttService({
      ...options.mqtt,
      clientId: options.mqtt.clientId ?? options.mqtt.username,
      session: 'durable',
      filters: ingestTopics(options.shareGroup),
      handler: (message, next) => pipeline.offer(message, next),
      log,
      onConnectionChange: (up) => metrics.brokerConnected.set(up ? 1 : 0),
    });
  } catch (err) {
    await jobs.stop();
    await pipeline.close(0);
    await pool.end();
    throw err;
  }
  log.info({ url: options.mqtt.url, clientId: subscriber.clientId }, 'ingest started');

  let closing: Promise<void> | null = null;
  return {
    metrics: registry,
    flush: () => pipeline.flush(),
    stats: () => ({ ...pipeline.stats(), brokerConnected: subscriber.connected() }),
    ready: () => ({ database: pipeline.stats().databaseUp, broker: subscriber.connected() }),
    runJob: (name) => jobs.run(name),
    close() {
      closing ??= (async () => {
        await jobs.stop();
        await pipeline.close();
        await subscriber.close();
        await pool.end();
        log.info('ingest stopped');
      })();
      return closing;
    },
  };
}
