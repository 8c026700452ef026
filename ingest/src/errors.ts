import { defineError } from '@vigil/core';

/** Error registry of the ingest service (listed in docs/errors.md, section Ingest). */
export const IngestBrokerUnavailable = defineError('VIGIL_ERR_INGEST_BROKER_UNAVAILABLE', 503);
export const IngestJobFailed = defineError('VIGIL_ERR_INGEST_JOB_FAILED');
