import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The ingest service's Prometheus metrics, registered on the registry `start()` is given. */
export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  return {
    messages: new Counter({
      name: 'vigil_ingest_messages_total',
      help: 'Device messages committed, by topic kind and outcome (stored, dead_letter)',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    rows: new Counter({
      name: 'vigil_ingest_rows_total',
      help: 'Rows offered to each table, by outcome (inserted, duplicate)',
      labelNames: ['table', 'outcome'] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: 'vigil_ingest_batch_messages',
      help: 'Messages per committed batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
      registers,
    }),
    flushSeconds: new Histogram({
      name: 'vigil_ingest_flush_seconds',
      help: 'Time to write and commit one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    buffered: new Gauge({
      name: 'vigil_ingest_buffered_messages',
      help: 'Messages received and not yet committed (nor acknowledged)',
      registers,
    }),
    paused: new Gauge({
      name: 'vigil_ingest_paused',
      help: '1 while the buffer is full and ingest has stopped reading from the broker',
      registers,
    }),
    databaseUp: new Gauge({
      name: 'vigil_ingest_database_up',
      help: '1 when the last write reached the database, 0 during an outage',
      registers,
    }),
    brokerConnected: new Gauge({
      name: 'vigil_ingest_broker_connected',
      help: '1 while connected to the MQTT broker',
      registers,
    }),
    writeErrors: new Counter({
      name: 'vigil_ingest_write_errors_total',
      help: 'Failed batch writes, by cause (connection, rejected)',
      labelNames: ['cause'] as const,
      registers,
    }),
    jobRuns: new Counter({
      name: 'vigil_ingest_job_runs_total',
      help: 'Scheduled job runs, by job and outcome (ok, failed, skipped)',
      labelNames: ['job', 'outcome'] as const,
      registers,
    }),
    jobSeconds: new Histogram({
      name: 'vigil_ingest_job_seconds',
      help: 'Duration of scheduled job runs',
      labelNames: ['job'] as const,
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
