import { defineError } from '@vigil/core';
import { COMMAND_REFUSAL_STATUS } from '@vigil/store';

/**
 * The alerts service's error registry (docs/errors.md "Alerts"). Command refusals are recorded as the code in
 * `alert_commands.error_code`, so the api can answer the caller with the same code.
 */
export const ALERTS_ERROR_CODES = {
  notFound: 'VIGIL_ERR_ALERTS_NOT_FOUND',
  alreadyAcknowledged: 'VIGIL_ERR_ALERTS_ALREADY_ACKNOWLEDGED',
  alreadyResolved: 'VIGIL_ERR_ALERTS_ALREADY_RESOLVED',
  alreadyPresent: 'VIGIL_ERR_ALERTS_ALREADY_PRESENT',
  presenceRequired: 'VIGIL_ERR_ALERTS_PRESENCE_REQUIRED',
  invalidCommand: 'VIGIL_ERR_ALERTS_INVALID_COMMAND',
  chainBroken: 'VIGIL_ERR_ALERTS_CHAIN_BROKEN',
  facilityOwned: 'VIGIL_ERR_ALERTS_FACILITY_OWNED',
  facilityUnknown: 'VIGIL_ERR_ALERTS_FACILITY_UNKNOWN',
} as const;
export type AlertsErrorCode = (typeof ALERTS_ERROR_CODES)[keyof typeof ALERTS_ERROR_CODES];

// Statuses from the store's refusal map, the one the api answers with.
const refusal = (code: string) => defineError(code, COMMAND_REFUSAL_STATUS[code]);
export const AlertNotFound = refusal(ALERTS_ERROR_CODES.notFound);
export const AlertAlreadyAcknowledged = refusal(ALERTS_ERROR_CODES.alreadyAcknowledged);
export const AlertAlreadyResolved = refusal(ALERTS_ERROR_CODES.alreadyResolved);
export const AlertAlreadyPresent = refusal(ALERTS_ERROR_CODES.alreadyPresent);
export const AlertPresenceRequired = refusal(ALERTS_ERROR_CODES.presenceRequired);
export const InvalidAlertCommand = refusal(ALERTS_ERROR_CODES.invalidCommand);
export const AlertChainBroken = defineError(ALERTS_ERROR_CODES.chainBroken);
export const FacilityOwned = defineError(ALERTS_ERROR_CODES.facilityOwned);
export const FacilityUnknown = defineError(ALERTS_ERROR_CODES.facilityUnknown);
