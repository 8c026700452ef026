export { start, type IngestHandle, type IngestOptions, type IngestStats } from './service.js';
export { configFromEnv, INGEST_DEFAULTS, INGEST_ENV_HELP, type IngestEnvConfig, type WriteMethod } from './config.js';
export { ingestTopics } from './service.js';
export type { JobName, JobResults } from './jobs/scheduler.js';
export * from './errors.js';
