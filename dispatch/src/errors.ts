import { defineError } from '@vigil/core';

/** The dispatch service's error registry (docs/errors.md "Dispatch"). */
export const ChannelFailed = defineError('VIGIL_ERR_NOTIFY_CHANNEL_FAILED', 502);
export const ChannelNotConfigured = defineError('VIGIL_ERR_NOTIFY_NOT_CONFIGURED', 500);

export const DISPATCH_ERROR_CODES = ['VIGIL_ERR_NOTIFY_CHANNEL_FAILED', 'VIGIL_ERR_NOTIFY_NOT_CONFIGURED'] as const;
