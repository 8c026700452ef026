import { startDispatch, type DispatchHandle, type DispatchOptions } from './service.js';

export { configFromEnv, DISPATCH_DEFAULTS, DISPATCH_ENV, type DispatchEnvConfig } from './config.js';
export { DISPATCH_ERROR_CODES } from './errors.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook, dingtalkUrl } from './channels/webhooks.js';
export { DISPATCHED_PRIORITIES, UNDISPATCHED_RULES } from './dispatcher.js';
export type { DispatchHandle, DispatchOptions } from './service.js';

/**
 * Starts the dispatch service of a home-care station: consumes alert events on its own durable session, opens a work
 * order for each dwelling alert, escalates orders nobody accepts to the station lead, and sends notifications by
 * Web Push, email and webhooks (docs/homecare.md).
 */
export function start(options: DispatchOptions): Promise<DispatchHandle> {
  return startDispatch(options);
}
