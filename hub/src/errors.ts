import { defineError } from '@vigil/core';

/** Error registry of the regional hub (docs/errors.md "Hub"). */
export const HubUnauthorized = defineError('VIGIL_ERR_HUB_UNAUTHORIZED', 401);
export const HubNotFound = defineError('VIGIL_ERR_HUB_NOT_FOUND', 404);
