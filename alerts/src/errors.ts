import { defineError } from '@vigil/core';

/**
 * The alerts service's error registry (docs/errors.md "Alerts"). Command refusals are recorded as the code in
 * `alert_commands.error_code`, so the api can answer the caller with the same code.
 */
export const ALERTS_ERROR_CODES = {
  notFound: 'VIGIL_ERR_ALERTS_NOT_FOUND',
  alreadyAcknowledged: 'VIGIL_ERR_ALERTS_ALREADY_ACKNOWLEDGED',
  alreadyResolved: 'VIGIL_ERR_ALERTS_ALREADY_RESOLVED',
  invalidCommand: 'VIGIL_ERR_ALERTS_INVALID_COMMAND',
  chainBroken: 'VIGIL_ERR_ALERTS_CHAIN_BROKEN',
} as const;
export type AlertsErrorCode = (typeof ALERTS_ERROR_CODES)[keyof typeof ALERTS_ERROR_CODES];

export const AlertNotFound = defineError(ALERTS_ERROR_CODES.notFound, 404);
export const AlertAlreadyAcknowledged = defineError(ALERTS_ERROR_CODES.alreadyAcknowledged, 409);
export const AlertAlreadyResolved = defineError(ALERTS_ERROR_CODES.alreadyResolved, 409);
export const InvalidAlertCommand = defineError(ALERTS_ERROR_CODES.invalidCommand, 400);
export const AlertChainBroken = defineError(ALERTS_ERROR_CODES.chainBroken);
