import {
  connectMqttService,
  createPool,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type MqttService,
  type MqttLogin,
} from '@vigil/core';
import { alertEventSchema, INTERNAL_TOPICS, type AlertEvent } from '@vigil/protocol';
import { Backoff, classifyDatabaseError } from '@vigil/store';
import { emailChannel } from './channels/email.js';
import { pushChannel } from './channels/push.js';
import { webhookChannels } from './channels/webhooks.js';
import { DISPATCH_DEFAULTS, type DispatchTimes, type NotifyConfig } from './config.js';
import { Deliverer } from './deliverer.js';
import { Dispatcher } from './dispatcher.js';
import { Escalator } from './escalator.js';

export interface DispatchOptions {
  databaseUrl: string;
  mqtt: MqttLogin;
  times?: Partial<DispatchTimes>;
  notify?: Partial<NotifyConfig>;
  logger?: Logger;
  /** Escalation and retry times are read from it (tests pass a fake one). */
  clock?: Clock;
  /**
   * One station's dispatch (docs/homecare.md "One dispatch process per station"): only its alerts, orders and
   * deliveries, on a session of its own (client id `<clientId>-<station>`). Absent: every station's.
   */
  station?: string;
}

export interface DispatchHandle {
  close(): Promise<void>;
  /** Runs an escalation pass and a delivery pass now (tests, after moving a fake clock). */
  tick(): Promise<void>;
}

/** Starts the dispatch service (see index.ts). */
export async function startDispatch(options: DispatchOptions): Promise<DispatchHandle> {
  const station = options.station ?? null;
  const log = (options.logger ?? silentLogger()).child({ module: 'dispatch', ...(station ? { station } : {}) });
  const clock = options.clock ?? systemClock;
  const times = { ...DISPATCH_DEFAULTS, ...options.times };
  const notify = { maxAttempts: DISPATCH_DEFAULTS.maxAttempts, retryMs: DISPATCH_DEFAULTS.retryMs, ...options.notify };
  const pool = createPool(options.databaseUrl, log, { max: 4, application_name: 'vigil-dispatch' });
  const email = emailChannel(notify.smtp);
  let mqtt: MqttService | null = null;
  let closing = false;
  const backoff = new Backoff({ minMs: 200, maxMs: 5_000 });

  const deliverer = new Deliverer({
    pool,
    log,
    clock,
    channels: { email: email.send, push: pushChannel(notify.vapid), ...webhookChannels(() => clock.now()) },
    maxAttempts: notify.maxAttempts,
    retryMs: notify.retryMs,
    publish: (topic, payload) =>
      mqtt?.publish(topic, payload, (err) => err && log.warn({ err, topic }, 'channel status not published')),
    station,
  });
  const queued = () => deliverer.wake();
  const dispatcher = new Dispatcher({ pool, log, onSiteMs: times.onSiteMs, queued, station });
  const escalator = new Escalator({ pool, log, clock, acceptMs: times.acceptMs, queued, station });

  // A transient database failure is retried until it commits: the PUBACK waits, so the broker keeps the event.
  // A rejected one is logged and acknowledged (it would come back for ever).
  const handle = async (event: AlertEvent) => {
    for (;;) {
      try {
        await dispatcher.handle(event);
        backoff.reset();
        return;
      } catch (err) {
        if (closing || classifyDatabaseError(err) === 'rejected') throw err;
        log.warn({ err, alertId: event.alert.id }, 'database unavailable; retrying the alert event');
        await backoff.wait();
      }
    }
  };

  try {
    mqtt = await connectMqttService({
      url: options.mqtt.url,
      username: options.mqtt.username,
      password: options.mqtt.password,
      // Each station's process on a session of its own: two sharing a client id would take it from each other.
      clientId: `${options.mqtt.clientId ?? DISPATCH_DEFAULTS.clientId}${station ? `-${station}` : ''}`,
      session: 'durable',
      filters: [INTERNAL_TOPICS.alertEvents],
      tuning: options.mqtt.tuning,
      ca: options.mqtt.ca,
      log,
      // One event at a time, in the order of the session: an alert's resolution is never handled before the
      // order its raising opens. The broker keeps the rest meanwhile.
      handler: (message, next) => {
        const event = decodeAlertEvent(message.payload);
        // The payload may describe a resident: log only its size.
        if (!event) log.warn({ bytes: message.payload.length }, 'invalid alert event dropped');
        let handled = true;
        (event ? handle(event) : Promise.resolve())
          .catch((err) => {
            // Closing mid-retry: unacknowledged, the broker hands the event to the next start.
            if (closing) handled = false;
            else log.error({ err }, 'alert event refused');
          })
          .finally(() => {
            if (handled) message.ack?.();
            next();
          });
      },
    });
  } catch (err) {
    email.close();
    await pool.end();
    throw err;
  }

  let ticking: Promise<void> | null = null;
  const pass = async () => {
    await escalator.tick().catch((err) => log.error({ err }, 'escalation pass failed'));
    deliverer.wake();
    await deliverer.idle();
  };
  // One pass at a time: a slow database or channel makes the timer's ticks wait rather than pile up.
  const run = () => (ticking ??= pass().finally(() => (ticking = null)));
  // A pass asked for now must see the state (and the clock) as it is now: one that is already running may have
  // read them before, so it runs after that one.
  const tick = async () => {
    while (ticking) await ticking;
    await run();
  };
  const timer = setInterval(() => void run(), times.tickMs);
  deliverer.wake();
  log.info({ acceptMs: times.acceptMs, onSiteMs: times.onSiteMs }, 'dispatch started');

  return {
    tick,
    async close() {
      closing = true;
      clearInterval(timer);
      backoff.wake();
      await ticking;
      await mqtt?.close();
      await deliverer.idle();
      email.close();
      await pool.end();
    },
  };
}

function decodeAlertEvent(payload: Buffer): AlertEvent | null {
  try {
    return alertEventSchema.parse(JSON.parse(payload.toString()));
  } catch {
    return null;
  }
}
