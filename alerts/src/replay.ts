import { Registry } from 'prom-client';
import { silentLogger } from '@vigil/core';
import type { AlertEvent } from '@vigil/protocol';
import { AlertBook } from './alert-book.js';
import type { Backlog } from './backlog.js';
import { ALERTS_DEFAULTS, DEFAULT_ESCALATION } from './config.js';
import { CreationCap } from './creation-cap.js';
import { AlertEngine } from './engine.js';
import { EventLog } from './event-log.js';
import { createAlertsMetrics } from './metrics.js';
import type { DeviceContext, RegistryCache } from './registry-cache.js';
import { RuleRunner } from './rule-runner.js';
import { RULES } from './rules/index.js';
import { resolveSettings } from './rules/settings.js';
import type { AlertStore } from './store.js';

export type { DeviceContext };

/** The service's tick interval (service.ts: silence rules and escalation every second). */
export const ALERTS_TICK_MS = ALERTS_DEFAULTS.tickMs;

export interface ReplayEngine {
  /** The wall clock the engine reads; the replay moves it. */
  clock: { now(): number; set(ms: number): void };
  handleMessage(topic: string, payload: string): Promise<void>;
  /** One run of what the service's tick interval does (silence rules, escalation). */
  tick(): void;
  /** Every alert event so far, in order. */
  events(): Promise<AlertEvent[]>;
}

/** The registry as the engine uses it (`get`, and `resolve` for a device it does not know): fixed contexts. */
function fixedRegistry(contexts: readonly DeviceContext[]): RegistryCache {
  const byId = new Map(contexts.map((c) => [c.device.id, c]));
  return { get: (id: string) => byId.get(id), resolve: async (id: string) => byId.get(id) } as unknown as RegistryCache;
}

/**
 * The alerts engine (rules, alert book, event log: what `vigil alerts` runs) without a database or a broker, for
 * replays in event time (`vigil evaluate`, docs/rules.md "Evaluation"): events are collected in memory, written
 * nowhere. Every device is primed at `start`, as the service primes those it loads from the registry.
 */
export function createReplayEngine(contexts: readonly DeviceContext[], start: number): ReplayEngine {
  let now = start;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const log = silentLogger();
  const metrics = createAlertsMetrics(new Registry());
  const runner = new RuleRunner({ rules: RULES, resolveSettings }, log, metrics);
  for (const context of contexts) runner.prime(context, start);
  const registry = fixedRegistry(contexts);
  const collected: AlertEvent[] = [];
  const store = { write: async () => true } as unknown as AlertStore;
  const backlog: Backlog = { add: async () => {}, remove: () => {} };
  const eventLog = new EventLog(
    { lastEventIds: new Map(), lastHashes: new Map() },
    store,
    backlog,
    (e) => collected.push(e),
    {
      durableWaitMs: 0,
      log,
      metrics,
    },
  );
  const book = new AlertBook({ updateIntervalMs: ALERTS_DEFAULTS.updateIntervalMs });
  const cap = new CreationCap({ perMinute: ALERTS_DEFAULTS.capPerMinute });
  const escalation = DEFAULT_ESCALATION;
  const accepts = () => true;
  const engine = new AlertEngine({ book, runner, eventLog, registry, clock, escalation, cap, accepts, log, metrics });
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
