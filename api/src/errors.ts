import { defineError } from '@vigil/core';

/** The api's error registry (docs/errors.md "API"). Every error leaves as `{"error":{"code","message"}}`. */
export const Unauthenticated = defineError('VIGIL_ERR_API_UNAUTHENTICATED', 401);
export const Forbidden = defineError('VIGIL_ERR_API_FORBIDDEN', 403);
export const NotFound = defineError('VIGIL_ERR_API_NOT_FOUND', 404);
export const Validation = defineError('VIGIL_ERR_API_VALIDATION', 400);
export const AlertsTimeout = defineError('VIGIL_ERR_API_ALERTS_TIMEOUT', 503);
export const NotReady = defineError('VIGIL_ERR_API_NOT_READY', 503);
export const Internal = defineError('VIGIL_ERR_API_INTERNAL', 500);

// Sign-in, sessions and accounts (docs/api.md "Sign-in, sessions and tokens").
export const InvalidCredentials = defineError('VIGIL_ERR_AUTH_INVALID_CREDENTIALS', 401);
export const LockedOut = defineError('VIGIL_ERR_AUTH_LOCKED', 429);
export const RateLimited = defineError('VIGIL_ERR_AUTH_RATE_LIMITED', 429);
export const ForeignOrigin = defineError('VIGIL_ERR_AUTH_ORIGIN', 403);
export const WrongPassword = defineError('VIGIL_ERR_AUTH_WRONG_PASSWORD', 403);
export const NoUser = defineError('VIGIL_ERR_AUTH_NO_USER', 403);
export const WorkOrderConflict = defineError('VIGIL_ERR_API_WORK_ORDER_CONFLICT', 409);
