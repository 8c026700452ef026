import { RULES } from './rules/index.js';
import { resolveSettings } from './rules/settings.js';
import { startAlerts, type AlertsHandle, type AlertsOptions } from './service.js';

export { configFromEnv, ALERTS_DEFAULTS, ALERTS_ENV, type AlertsEnvConfig } from './config.js';
export { ALERTS_ERROR_CODES, AlertChainBroken } from './errors.js';
export { COMMANDS_CHANNEL } from '@vigil/store';
export { verifyChain, type VerifyReport } from './audit.js';
export { hashEvent } from './chain.js';
export type { AlertsHandle, AlertsOptions } from './service.js';
export { createReplayEngine, ALERTS_TICK_MS, type ReplayEngine, type DeviceContext } from './replay.js';
export { ruleOverridesSchema } from './rules/settings.js';
export { settingsInForce, type SettingInForce, type SettingValue } from './rules/settings-view.js';

/**
 * Starts the alerts service: subscribes to every device's messages, runs every rule in memory, keeps the alert
 * lifecycle (dedup, escalation, commands from the api), writes hash-chained events and publishes each one on
 * `INTERNAL_TOPICS.alertEvents`. Needs the database at start (state is rebuilt from it); tolerates it going
 * away afterwards.
 */
export function start(options: AlertsOptions): Promise<AlertsHandle> {
  return startAlerts(options, { rules: RULES, resolveSettings });
}
