import { defineError } from '@vigil/core';

/** The api's error registry (docs/errors.md "API"). Every error leaves as `{"error":{"code","message"}}`. */
export const Unauthenticated = defineError('VIGIL_ERR_API_UNAUTHENTICATED', 401);
export const Forbidden = defineError('VIGIL_ERR_API_FORBIDDEN', 403);
export const NotFound = defineError('VIGIL_ERR_API_NOT_FOUND', 404);
export const Validation = defineError('VIGIL_ERR_API_VALIDATION', 400);
export const AlertsTimeout = defineError('VIGIL_ERR_API_ALERTS_TIMEOUT', 503);
export const NotReady = defineError('VIGIL_ERR_API_NOT_READY', 503);
export const Internal = defineError('VIGIL_ERR_API_INTERNAL', 500);
export const WorkOrderConflict = defineError('VIGIL_ERR_API_WORK_ORDER_CONFLICT', 409);
