import { performance } from 'node:perf_hooks';
import type { Logger } from '@vigil/core';
import type { EventLogPosition } from '@vigil/store';
import type { AlertEvent } from '@vigil/protocol';
import type { Transition } from './alert-book.js';
import type { Backlog } from './backlog.js';
import { hashEvent } from './chain.js';
import type { AlertsMetrics } from './metrics.js';
import type { AlertStore } from './store.js';

/** Where the log resumes: each facility's highest stored event id and newest hash. */
export type EventLogSeed = EventLogPosition;

export interface Appended {
  event: AlertEvent;
  /** Resolves once the event was handed to the broker. */
  published: Promise<void>;
  stored: Promise<boolean>;
}

/**
 * Turns transitions into numbered, hash-chained events (numbered and chained per facility: each facility's ids are
 * gap-free, and only the worker owning a facility numbers its events, docs/alerts.md "Workers"), writes them and publishes them, both in order. An event
 * is on local disk (the backlog) before it is published, and published as soon as its row is committed, or after
 * `durableWaitMs` at the latest: the database can delay a push by that much, never stop it (docs/alerts.md
 * "Durable, then pushed").
 */
export class EventLog {
  private readonly lastEventIds: Map<string, number>;
  private readonly lastHashes: Map<string, Buffer>;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    seed: EventLogSeed,
    private readonly store: AlertStore,
    private readonly backlog: Backlog,
    private readonly publish: (event: AlertEvent) => void,
    private readonly options: { durableWaitMs: number; log: Logger; metrics: AlertsMetrics },
  ) {
    this.lastEventIds = new Map(seed.lastEventIds);
    this.lastHashes = new Map(seed.lastHashes);
  }

  /** The newest event id allocated for `facility` (0: none yet). */
  lastId(facility: string): number {
    return this.lastEventIds.get(facility) ?? 0;
  }

  append(transition: Transition, commandId?: number): Appended {
    const { metrics, log, durableWaitMs } = this.options;
    const facility = transition.alert.facility;
    const eventId = this.lastId(facility) + 1;
    this.lastEventIds.set(facility, eventId);
    const event: AlertEvent = {
      eventId,
      event: transition.type,
      at: new Date(transition.at).toISOString(),
      actor: transition.actor,
      alert: transition.alert,
    };
    const prevHash = this.lastHashes.get(facility) ?? null;
    const hash = hashEvent(prevHash, event);
    this.lastHashes.set(facility, hash);
    metrics.events.inc({ type: event.event });
    if (event.event === 'raised') metrics.raised.inc({ rule: event.alert.rule, priority: event.alert.priority });

    const write = { event, prevHash, hash, commandId };
    const onDisk = this.backlog.add(write).catch((err) => {
      metrics.backlogDiskFailures.inc();
      log.error({ err, facility, eventId }, 'alert event not on local disk; alerting goes on');
    });
    const stored = this.store.write(write);
    void stored.then(() => this.backlog.remove([event]));
    const created = performance.now();
    const published = (this.tail = this.tail.then(async () => {
      await onDisk;
      await settledWithin(stored, created + durableWaitMs - performance.now());
      try {
        this.publish(event);
      } catch (err) {
        log.error({ err, facility, eventId }, 'could not hand the alert event to the broker');
      }
      metrics.publishDelay.observe((performance.now() - created) / 1000);
    }));
    return { event, published, stored };
  }

  /** Resolves when every event appended so far was handed to the broker. */
  flushed(): Promise<void> {
    return this.tail;
  }
}

function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
