import { Registry } from 'prom-client';
import { createPool, silentLogger, systemClock, type Clock, type Logger, type MqttLogin } from '@vigil/core';
import { INTERNAL_TOPICS, type Alert, type AlertEvent } from '@vigil/protocol';
import { AlertBook, type EscalationPolicy } from './alert-book.js';
import { DiskBacklog } from './backlog.js';
import { connectSessions, type Sessions } from './broker.js';
import { CommandInbox } from './commands.js';
import { CreationCap } from './creation-cap.js';
import { AlertEngine } from './engine.js';
import { EventLog } from './event-log.js';
import { createAlertsMetrics } from './metrics.js';
import { RegistryCache } from './registry-cache.js';
import { ALERTS_DEFAULTS, DEFAULT_ESCALATION } from './config.js';
import { FacilityOwnership } from './ownership.js';
import { loadEventLogSeed, loadReplay, loadUnresolvedAlerts } from './restore.js';
import { RuleRunner, type RuleSet } from './rule-runner.js';
import { AlertStore } from './store.js';
import { UnseenWatch } from './unseen.js';

export interface AlertsOptions {
  databaseUrl: string;
  /** Where the backlog of events not yet in the database lives on local disk (LevelDB). */
  dataDir: string;
  /**
   * The facilities this worker owns (docs/alerts.md "Workers"); default: all of them. Owned in the database: a
   * facility another worker owns makes start fail. The worker is named by `mqtt.clientId`.
   */
  facilities?: readonly string[];
  mqtt: MqttLogin;
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
  /** An open alert no display showed within this long is escalated to the safety officer (default 10 s; 0: off). */
  unseenAfterMs?: number;
}

export interface AlertsHandle {
  close(): Promise<void>;
  /** The newest event id allocated for `facility` (ids are numbered per facility). */
  lastEventId(facility: string): number;
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
  const clientId = options.mqtt.clientId ?? ALERTS_DEFAULTS.clientId;
  const escalation: EscalationPolicy = { ...DEFAULT_ESCALATION, ...options.escalation };
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
    const store = new AlertStore(pool, log, metrics);
    const backlog = await DiskBacklog.open(options.dataDir, log);
    closers.push(() => backlog.close());
    let ownership: FacilityOwnership | null = null;
    closers.push(async () => {
      const left = await store.drain(5_000);
      if (left) log.warn({ left }, 'closing with alert events not yet in the database; they wait on local disk');
      // Everything stored: another worker may number these facilities' events from here on.
      else await ownership?.release();
    });
    // The leftovers are this worker's (it owned their facilities when it made them, and still does): stored first.
    await storeLeftovers(backlog, store, log);
    ownership = await FacilityOwnership.claim(pool, clientId, options.facilities ?? null, log);
    const owned = ownership;
    // The registry primes the silence rules with every device it learns about: at start and when one is added.
    const runner = new RuleRunner(ruleSet, log, metrics);
    const registry = new RegistryCache(pool, log, owned, (added) => {
      for (const context of added) runner.prime(context, clock.now());
    });
    const [seed, unresolved] = await Promise.all([
      loadEventLogSeed(pool, owned.facilities),
      loadUnresolvedAlerts(pool, owned.facilities),
      registry.refresh(),
    ]);
    const book = new AlertBook({ updateIntervalMs: options.updateIntervalMs ?? ALERTS_DEFAULTS.updateIntervalMs });
    for (const tracked of unresolved) book.restore(tracked);
    metrics.openAlerts.set(book.size);
    metrics.databaseUp.set(1);

    let sessions: Sessions | null = null;
    const publish = (event: AlertEvent) => {
      sessions?.events.publish(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), (err) => {
        if (err)
          log.warn({ err, facility: event.alert.facility, eventId: event.eventId }, 'alert event publish failed');
      });
    };
    const eventLog = new EventLog(seed, store, backlog, publish, {
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
      accepts: (facility) => owned.accepts(facility),
      log,
      metrics,
    });

    const replay = await loadReplay(pool, owned.facilities, {
      now: clock.now(),
      windowMs: options.replayWindowMs ?? ALERTS_DEFAULTS.replayWindowMs,
      limit: 200_000,
    });
    const fed = engine.replay(replay);
    log.info({ unresolved: book.size, facilities: seed.lastEventIds.size, replayed: fed }, 'alerts state restored');

    sessions = await connectSessions(
      { ...options.mqtt, clientId, facilities: options.facilities ?? null },
      (topic, payload, retained) => engine.handleMessage(topic, payload, retained),
      log,
    );
    const closeSessions = sessions.close;
    closers.push(async () => {
      await eventLog.flushed();
      await closeSessions();
    });

    const inbox = new CommandInbox(options.databaseUrl, pool, (command) => engine.applyCommand(command), {
      pollMs: options.commandPollMs ?? ALERTS_DEFAULTS.commandPollMs,
      facilities: () => owned.facilities,
      log,
      metrics,
    });
    closers.push(() => inbox.close());
    await inbox.start();

    const unseen = new UnseenWatch(pool, book, (ids) => engine.escalateUnseen(ids), {
      afterMs: options.unseenAfterMs ?? ALERTS_DEFAULTS.unseenAfterMs,
      clock,
      log,
    });
    const timers = [
      setInterval(() => {
        engine.tick();
        unseen.check();
      }, options.tickMs ?? ALERTS_DEFAULTS.tickMs),
      setInterval(
        () => void registry.refresh().catch((err) => log.warn({ err }, 'registry reload failed')),
        options.registryRefreshMs ?? ALERTS_DEFAULTS.registryRefreshMs,
      ),
    ];
    closers.push(() => timers.forEach(clearInterval));
    log.info({ clientId }, 'alerts service ready');

    return {
      close: closeAll,
      lastEventId: (facility) => eventLog.lastId(facility),
      unresolved: () => book.unresolved(),
      backlog: () => store.backlog,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Stores what a previous run left on disk (a crash or a close while the database was away), in id order, before
 * the event log's seed is read from the database: the chain then continues from the last event that run made.
 */
async function storeLeftovers(backlog: DiskBacklog, store: AlertStore, log: Logger): Promise<void> {
  const left = await backlog.pending();
  if (!left.length) return;
  log.info({ events: left.length }, 'storing alert events left on disk by the previous run');
  const stored = await Promise.all(left.map(({ write }) => store.write(write)));
  backlog.discard(left.map(({ key }) => key));
  const refused = stored.filter((ok) => !ok).length;
  if (refused) log.error({ refused }, 'alert events left on disk were refused by the database');
}
