import type pg from 'pg';
import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import type { AlertEvent } from '@vigil/protocol';
// @vigil/alerts exports only start(), which needs a database and a broker. Until it exports the engine's parts
// (docs/rules.md "Evaluation"), the replay reaches its compiled modules: the same code `vigil alerts` runs.
import { AlertBook } from '../../../alerts/dist/alert-book.js';
import { ALERTS_DEFAULTS } from '../../../alerts/dist/config.js';
import { AlertEngine } from '../../../alerts/dist/engine.js';
import { EventLog } from '../../../alerts/dist/event-log.js';
import { createAlertsMetrics } from '../../../alerts/dist/metrics.js';
import { RegistryCache } from '../../../alerts/dist/registry-cache.js';
import { RuleRunner } from '../../../alerts/dist/rule-runner.js';
import { RULES } from '../../../alerts/dist/rules/index.js';
import { resolveSettings } from '../../../alerts/dist/rules/settings.js';
import type { AlertStore } from '../../../alerts/dist/store.js';

/** The service's tick interval (alerts/src/service.ts: silence rules and escalation every second). */
export const ALERTS_TICK_MS = ALERTS_DEFAULTS.tickMs;

/** The registry rows of a replayed facility, as the alerts service reads them (registry-cache.ts). */
export interface RegistryRows {
  facilities: object[];
  locations: object[];
  residents: object[];
  devices: object[];
}

export interface ReplayEngine {
  /** The wall clock the engine reads; the replay moves it. */
  clock: { now(): number; set(ms: number): void };
  handleMessage(topic: string, payload: string): Promise<void>;
  /** One run of what the service's tick interval does (silence rules, escalation). */
  tick(): void;
  /** Every alert event so far, in order. */
  events(): Promise<AlertEvent[]>;
}

/** Answers the registry's four SELECTs from rows in memory (the only queries the engine makes here). */
function registryPool(rows: RegistryRows): pg.Pool {
  const table = (sql: string) =>
    sql.includes('FROM facilities')
      ? rows.facilities
      : sql.includes('FROM locations')
        ? rows.locations
        : sql.includes('FROM residents')
          ? rows.residents
          : rows.devices;
  return { query: async (sql: string) => ({ rows: table(sql) }) } as unknown as pg.Pool;
}

/**
 * The real alerts engine (rules, alert book, event log) without a database or a broker: events are collected in
 * memory, written nowhere. Devices are primed at `start` as the service primes them when it loads the registry.
 */
export async function createReplayEngine(rows: RegistryRows, start: number): Promise<ReplayEngine> {
  let now = start;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const log = silentLogger();
  const metrics = createAlertsMetrics(new Registry());
  const runner = new RuleRunner({ rules: RULES, resolveSettings }, log, metrics);
  const registry = new RegistryCache(registryPool(rows), log, (added) => {
    for (const context of added) runner.prime(context, clock.now());
  });
  await registry.refresh();
  const collected: AlertEvent[] = [];
  const store = { write: async () => true } as unknown as AlertStore;
  const eventLog = new EventLog({ lastEventId: 0, lastHashes: new Map() }, store, (e) => collected.push(e), {
    durableWaitMs: 0,
    log,
    metrics,
  });
  const book = new AlertBook({ updateIntervalMs: ALERTS_DEFAULTS.updateIntervalMs });
  const escalation = { repeatMs: ALERTS_DEFAULTS.repeatMs, officerMs: ALERTS_DEFAULTS.officerMs };
  const engine = new AlertEngine({ book, runner, eventLog, registry, clock, escalation, log, metrics });
  return {
    clock,
    handleMessage: (topic, payload) => engine.handleMessage(topic, payload),
    tick: () => void engine.tick(),
    events: async () => {
      await eventLog.flushed();
      return collected;
    },
  };
}
