import type { Logger } from '@vigil/core';
import { alertEventSchema, INTERNAL_TOPICS } from '@vigil/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { ApiOptions } from './config.js';
import { BrokerRefused } from './errors.js';
import type { AlertFeed } from './feed.js';
import type { ApiMetricSet } from './metrics.js';

/** CONNACK 4/5 (MQTT 3.1.1): bad credentials or not authorised — retrying will not help. */
const REFUSED = new Set([4, 5]);
const FIRST_CONNECT_WAIT_MS = 5000;

/**
 * Subscribes to the alert events the alerts service publishes (QoS 1, persistent session: events published
 * while the api is down are delivered when it comes back) and feeds them, validated, to the alert feed.
 * Resolves once connected, or after a short wait with reconnects continuing in the background; rejects only
 * when the broker refuses the credentials.
 */
export async function subscribeAlertEvents(
  options: ApiOptions['mqtt'],
  feed: AlertFeed,
  deps: { log: Logger; metrics: ApiMetricSet },
): Promise<MqttClient> {
  const { log, metrics } = deps;
  const client = mqtt.connect(options.url, {
    username: options.username,
    password: options.password,
    clientId: options.clientId ?? 'vigil-api',
    clean: false,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
  });
  client.on('connect', (connack) => {
    log.info({ sessionPresent: connack.sessionPresent }, 'connected to broker');
    client.subscribe(INTERNAL_TOPICS.alertEvents, { qos: 1 }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128)) log.error({ err }, 'subscription to alert events refused');
    });
  });
  client.on('error', (err) => log.warn({ err: { message: err.message } }, 'broker connection error'));
  client.on('offline', () => log.warn('broker connection lost; reconnecting'));
  client.on('message', (_topic, payload) => {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      json = undefined;
    }
    const parsed = alertEventSchema.safeParse(json);
    if (!parsed.success) {
      metrics.alertEvents.inc({ result: 'invalid' });
      // The payload may describe a resident: log only the reason.
      log.warn({ issues: parsed.error.issues.length, bytes: payload.length }, 'invalid alert event dropped');
      return;
    }
    metrics.alertEvents.inc({ result: 'ok' });
    void feed.offer(parsed.data);
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      log.warn({ url: options.url }, 'broker not reachable yet; the api keeps trying');
      done();
      resolve();
    }, FIRST_CONNECT_WAIT_MS);
    const onConnect = () => {
      done();
      resolve();
    };
    const onError = (err: Error & { code?: number }) => {
      if (typeof err.code === 'number' && REFUSED.has(err.code)) {
        done();
        client.end(true);
        reject(BrokerRefused(`the broker refused ${options.username}: ${err.message}`, err));
      }
    };
    const done = () => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
    };
    client.on('connect', onConnect);
    client.on('error', onError);
  });
  return client;
}
