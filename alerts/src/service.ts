import type mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { createPool, silentLogger, systemClock, type Clock, type Logger } from '@vigil/core';
import { INTERNAL_TOPICS, type Alert, type AlertEvent } from '@vigil/protocol';
import { AlertBook, type EscalationPolicy } from './alert-book.js';
import { connectSession, SESSIONS } from './broker.js';
import { CommandInbox } from './commands.js';
import { CreationCap } from './creation-cap.js';
import { AlertEngine } from './engine.js';
import { EventLog } from './event-log.js';
import { createAlertsMetrics } from './metrics.js';
import { RegistryCache } from './registry-cache.js';
import { ALERTS_DEFAULTS } from './config.js';
import { loadEventLogSeed, loadReplay, loadUnresolvedAlerts } from './restore.js';
import { RuleRunner, type RuleSet } from './rule-runner.js';
import { AlertStore } from './store.js';

export interface AlertsOptions {
  databaseUrl: string;
  mqtt: { url: string; username: string; password: string; clientId?: string };
  logger?: Logger;
  metrics?: Registry;
  clock?: Clock;
  /**
   * Defaults: critical after 60 s and every 60 s, to the safety officer after 180 s; high every 10 min (officer
   * after 30 min); warning every 30 min (officer after 2 h). docs/alerts.md "Escalation".
   */
  escalation?: Partial<EscalationPolicy>;
  /** Wall-clock tick of silence rules and escalation (default 1000 ms). */
  tickMs?: number;
  /** New non-critical alerts a facility may get a minute; more are held back (default 10; 0: no cap). */
  capPerMinute?: number;
  /** Longest a database write may delay the push of an event (default 150 ms). */
  durableWaitMs?: number;
  /** `updated` events for a condition seen again are sent at most this often (default 30 s). */
  updateIntervalMs?: number;
  /** How much stored history the rules replay on start (default 35 min). */
  replayWindowMs?: number;
  registryRefreshMs?: number;
  commandPollMs?: number;
  /** How long start() waits for the broker (default 30 s). */
  connectTimeoutMs?: number;
}

export interface AlertsHandle {
  close(): Promise<void>;
  /** The newest event id allocated (the stream's high-water mark). */
  lastEventId(): number;
  /** Unresolved alerts as held in memory. */
  unresolved(): Alert[];
  /** Writes waiting for the database (non-zero while it is down). */
  backlog(): number;
}

/** Starts the alerts service with an explicit rule set (index.ts passes the real RULES). */
export async function startAlerts<Settings>(options: AlertsOptions, ruleSet: RuleSet<Settings>): Promise<AlertsHandle> {
  const log = (options.logger ?? silentLogger()).child({ module: 'alerts' });
  const metrics = createAlertsMetrics(options.metrics ?? new Registry());
  const clock = options.clock ?? systemClock;
  const escalation: EscalationPolicy = {
    repeatMs: ALERTS_DEFAULTS.repeatMs,
    officerMs: ALERTS_DEFAULTS.officerMs,
    high: ALERTS_DEFAULTS.high,
    warning: ALERTS_DEFAULTS.warning,
    ...options.escalation,
  };
  // Alert writes commit synchronously whatever the database's default (the connection's setting wins over it).
  const pool = createPool(options.databaseUrl, log, {
    max: 4,
    application_name: 'vigil-alerts',
    options: '-c synchronous_commit=on',
  });
  const closers: (() => Promise<unknown> | void)[] = [() => pool.end()];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await Promise.resolve(close()).catch((err) => log.warn({ err }, 'close failed'));
  };

  try {
    // The registry primes the silence rules with every device it learns about: at start and when one is added.
    const runner = new RuleRunner(ruleSet, log, metrics);
    const registry = new RegistryCache(pool, log, (added) => {
      for (const context of added) runner.prime(context, clock.now());
    });
    const [seed, unresolved] = await Promise.all([
      loadEventLogSeed(pool),
      loadUnresolvedAlerts(pool),
      registry.refresh(),
    ]);
    const book = new AlertBook({ updateIntervalMs: options.updateIntervalMs ?? ALERTS_DEFAULTS.updateIntervalMs });
    for (const tracked of unresolved) book.restore(tracked);
    metrics.openAlerts.set(book.size);
    metrics.databaseUp.set(1);

    let client: mqtt.MqttClient | null = null;
    const publish = (event: AlertEvent) => {
      client?.publish(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), { qos: 1 }, (err) => {
        if (err) log.warn({ err, eventId: event.eventId }, 'alert event publish failed');
      });
    };
    const store = new AlertStore(pool, log, metrics);
    closers.push(async () => {
      const left = await store.drain(5_000);
      if (left) log.error({ left }, 'closing with alert events not yet written');
    });
    const eventLog = new EventLog(seed, store, publish, {
      durableWaitMs: options.durableWaitMs ?? ALERTS_DEFAULTS.durableWaitMs,
      log,
      metrics,
    });
    const cap = new CreationCap({ perMinute: options.capPerMinute ?? ALERTS_DEFAULTS.capPerMinute });
    const engine = new AlertEngine({
      book,
      runner,
      eventLog,
      registry,
      clock,
      escalation,
      cap,
      log,
      metrics,
    });

    const replay = await loadReplay(
      pool,
      clock.now(),
      options.replayWindowMs ?? ALERTS_DEFAULTS.replayWindowMs,
      200_000,
    );
    const fed = engine.replay(replay);
    log.info({ unresolved: book.size, lastEventId: seed.lastEventId, replayed: fed }, 'alerts state restored');

    const broker = {
      url: options.mqtt.url,
      username: options.mqtt.username,
      password: options.mqtt.password,
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    };
    const clientId = options.mqtt.clientId ?? ALERTS_DEFAULTS.clientId;
    const handle = (topic: string, payload: Buffer, retained: boolean) =>
      engine.handleMessage(topic, payload, retained);
    const sessions = await Promise.allSettled(
      Object.values(SESSIONS).map(({ suffix, filters }) =>
        connectSession({ ...broker, clientId: `${clientId}${suffix}` }, filters, handle, log),
      ),
    );
    const connected = sessions.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    closers.push(async () => {
      await eventLog.flushed();
      await Promise.all(connected.map((session) => session.close()));
    });
    for (const s of sessions) if (s.status === 'rejected') throw s.reason;
    client = connected[0]!.client; // the events session publishes the alert events

    const inbox = new CommandInbox(options.databaseUrl, pool, (command) => engine.applyCommand(command), {
      pollMs: options.commandPollMs ?? ALERTS_DEFAULTS.commandPollMs,
      log,
      metrics,
    });
    closers.push(() => inbox.close());
    await inbox.start();

    const timers = [
      setInterval(() => engine.tick(), options.tickMs ?? ALERTS_DEFAULTS.tickMs),
      setInterval(
        () => void registry.refresh().catch((err) => log.warn({ err }, 'registry reload failed')),
        options.registryRefreshMs ?? ALERTS_DEFAULTS.registryRefreshMs,
      ),
    ];
    closers.push(() => timers.forEach(clearInterval));

    return {
      close: closeAll,
      lastEventId: () => eventLog.lastId,
      unresolved: () => book.unresolved(),
      backlog: () => store.backlog,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
