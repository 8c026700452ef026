import { defineError } from '@vigil/core';

/** Error registry of the ingest service (listed in docs/errors.md, section Ingest). */
export const IngestJobFailed = defineError('VIGIL_ERR_INGEST_JOB_FAILED');
