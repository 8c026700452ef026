import { connectMqttService, handleEach, type Logger, type MqttService } from '@vigil/core';
import { alertEventSchema, INTERNAL_TOPICS } from '@vigil/protocol';
import type { ApiOptions } from './config.js';
import type { AlertFeed } from './feed.js';
import type { ApiMetricSet } from './metrics.js';

/** The client id prefix when none is configured: each instance adds its own suffix. */
export const API_CLIENT_ID_PREFIX = 'vigil-api';

/**
 * Subscribes to the alert events the alerts service publishes and feeds them, validated, to the alert feed; each
 * PUBACK waits until the feed has applied its event. A session per instance (`<prefix>-<instance>`): every api
 * instance must receive every event, and instances sharing one client id would take the session from each other
 * [MQTT-3.1.4-2]. Rejects when the broker refuses the login, or cannot be reached within the connect timeout.
 */
export function subscribeAlertEvents(
  options: ApiOptions['mqtt'],
  feed: AlertFeed,
  deps: { log: Logger; metrics: ApiMetricSet },
): Promise<MqttService> {
  const { log, metrics } = deps;
  return connectMqttService({
    url: options.url,
    username: options.username,
    password: options.password,
    clientId: options.clientId ?? API_CLIENT_ID_PREFIX,
    session: 'per-instance',
    instanceId: options.instanceId,
    filters: [INTERNAL_TOPICS.alertEvents],
    tuning: options.tuning,
    ca: options.ca,
    log,
    handler: handleEach(async ({ payload }) => {
      const parsed = alertEventSchema.safeParse(parseJson(payload));
      if (!parsed.success) {
        metrics.alertEvents.inc({ result: 'invalid' });
        // The payload may describe a resident: log only the reason.
        log.warn({ issues: parsed.error.issues.length, bytes: payload.length }, 'invalid alert event dropped');
        return;
      }
      metrics.alertEvents.inc({ result: 'ok' });
      await feed.offer(parsed.data);
    }, log),
  });
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}
