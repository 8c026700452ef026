import { defineError } from '@vigil/core';

/** Error registry of the store (docs/errors.md "Store"); the registry's own errors are in registry/errors.ts. */
export const HistoryQueryInvalid = defineError('VIGIL_ERR_STORE_QUERY_INVALID', 400);
