import { defineError } from '@vigil/core';

/** The api's error registry (docs/errors.md "API"). Every error leaves as `{"error":{"code","message"}}`. */
export const Unauthenticated = defineError('VIGIL_ERR_API_UNAUTHENTICATED', 401);
export const Forbidden = defineError('VIGIL_ERR_API_FORBIDDEN', 403);
export const NotFound = defineError('VIGIL_ERR_API_NOT_FOUND', 404);
export const Validation = defineError('VIGIL_ERR_API_VALIDATION', 400);
export const AlertsTimeout = defineError('VIGIL_ERR_API_ALERTS_TIMEOUT', 503);
export const NotReady = defineError('VIGIL_ERR_API_NOT_READY', 503);
export const Internal = defineError('VIGIL_ERR_API_INTERNAL', 500);

/**
 * HTTP status for a refusal code the alerts service wrote into `alert_commands.error_code`. The code itself is
 * passed through to the client; unknown refusals are conflicts with the alert's current state.
 */
export function commandErrorStatus(code: string): number {
  if (/NOT_FOUND$/.test(code)) return 404;
  if (/INVALID|VALIDATION/.test(code)) return 400;
  if (/FORBIDDEN$/.test(code)) return 403;
  if (/UNAVAILABLE$/.test(code)) return 503;
  return 409;
}
