import { type Logger, type Pool } from '@vigil/core';
import type { Alert, AlertEvent } from '@vigil/protocol';
import { eventsBetween, openAlertsAsOf } from '@vigil/store';
import type { Directory } from './scope.js';
import { isTransientDatabaseError } from '@vigil/store';

export type FeedListener = (event: AlertEvent) => void;
/** Called when the feed had to be reloaded: what clients were told may be wrong, so they need a new snapshot. */
export type ResetListener = () => void;

/**
 * The api's in-memory view of the alert event stream: the open alerts, the newest event id, and a ring of recent
 * events, kept strictly in eventId order. It is seeded from the database at start and then advanced only by
 * the events the alerts service publishes, so snapshots and live events always agree, and the stream keeps
 * working while the database is down (the alerts service pushes from memory then).
 */
export class AlertFeed {
  private readonly open = new Map<string, Alert>();
  private readonly ring: AlertEvent[] = [];
  private readonly listeners = new Set<FeedListener>();
  private readonly resetListeners = new Set<ResetListener>();
  private queue: Promise<void> = Promise.resolve();
  private last = 0;
  private seeded = false;

  constructor(
    private readonly db: Pool,
    private readonly directory: Directory,
    private readonly log: Logger,
    private readonly ringSize = 10_000,
  ) {}

  get lastEventId(): number {
    return this.last;
  }

  get isSeeded(): boolean {
    return this.seeded;
  }

  /** Loads the open alerts and the newest event id. Events offered before this finishes wait for it. */
  seed(): Promise<void> {
    const seeding = this.queue.then(async () => {
      await this.directory.load();
      await this.load();
    });
    this.queue = seeding.catch(() => undefined);
    return seeding;
  }

  private async load(): Promise<void> {
    const { alerts, lastEventId } = await openAlertsAsOf(this.db);
    this.open.clear();
    for (const alert of alerts) this.open.set(alert.id, alert);
    this.ring.length = 0;
    this.last = lastEventId;
    this.seeded = true;
    this.log.info({ open: alerts.length, lastEventId }, 'alert feed loaded');
  }

  /** Offers an event from the broker; duplicates (QoS 1 redelivery, a persistent session's backlog) are dropped. */
  offer(event: AlertEvent): Promise<void> {
    const step = this.queue.then(() => this.advance(event));
    this.queue = step.catch((err) => this.log.error({ err, eventId: event.eventId }, 'alert event not applied'));
    return this.queue;
  }

  private async advance(event: AlertEvent): Promise<void> {
    if (event.eventId <= this.last) {
      if (!this.isReused(event)) return; // a duplicate (QoS 1 redelivery, a session's backlog)
      // The alerts service restarted without events it had only in memory (database down, then a crash) and
      // allocates their ids again: start over from the database, and tell every client.
      this.log.error({ eventId: event.eventId, last: this.last }, 'alert event ids went backwards; reloading');
      await this.reload();
      if (event.eventId <= this.last) return;
    }
    if (event.eventId > this.last + 1) await this.fillGap(event.eventId);
    if (event.eventId <= this.last) return; // a reload during the gap fill already has it
    await this.directory.ensure(event.alert.facility, event.alert.resident).catch((err) => {
      // Without the directory a regulator may miss this event, but nobody else does: never block the stream.
      if (!isTransientDatabaseError(err)) throw err;
    });
    this.apply(event);
  }

  /** Same id, different event: only an id allocated twice looks like this. */
  private isReused(event: AlertEvent): boolean {
    const seen = this.ring.find((e) => e.eventId === event.eventId);
    return (
      seen !== undefined && (seen.alert.id !== event.alert.id || seen.event !== event.event || seen.at !== event.at)
    );
  }

  /** A gap in the ids means we missed events (e.g. published before our session existed): read them back. */
  private async fillGap(upTo: number): Promise<void> {
    try {
      const missed = await eventsBetween(this.db, this.last, upTo - 1, null);
      if (missed === null) {
        this.log.warn({ from: this.last, to: upTo }, 'too many missed alert events; reloading');
        return await this.reload();
      }
      for (const event of missed) {
        await this.directory.ensure(event.alert.facility, event.alert.resident);
        this.apply(event);
      }
      if (this.last < upTo - 1) this.log.debug({ from: this.last, to: upTo }, 'event ids skipped');
    } catch (err) {
      this.log.warn({ err, from: this.last, to: upTo }, 'could not read missed alert events; continuing');
    }
  }

  /** Starts over from the database and tells every listener that what it was told may be wrong. */
  private async reload(): Promise<void> {
    await this.load();
    for (const listener of this.resetListeners) listener();
  }

  private apply(event: AlertEvent): void {
    this.last = event.eventId;
    if (event.alert.status === 'resolved') this.open.delete(event.alert.id);
    else this.open.set(event.alert.id, event.alert);
    this.ring.push(event);
    if (this.ring.length > this.ringSize) this.ring.splice(0, this.ring.length - this.ringSize);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err }, 'alert feed listener failed');
      }
    }
  }

  /** Calls `listener` for every event applied from now on, in order; returns the unsubscribe function. */
  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` whenever the feed was reloaded (see `advance`); returns the unsubscribe function. */
  onReset(listener: ResetListener): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** The open alerts accepted by `filter`, as of `lastEventId`. Synchronous, so it cannot interleave with events. */
  snapshot(filter: (alert: Alert) => boolean): { alerts: Alert[]; lastEventId: number } {
    const alerts = [...this.open.values()].filter(filter);
    return { alerts, lastEventId: this.last };
  }

  /** An open alert known to the feed (also those not yet in the database). */
  openAlert(id: string): Alert | undefined {
    return this.open.get(id);
  }

  /**
   * The events after `since` (up to the current `lastEventId`) accepted by `filter`, from the ring or, when the
   * ring does not reach back that far, from the database. Null when neither can provide them.
   */
  async since(since: number, filter: (event: AlertEvent) => boolean, facilities: string[] | null) {
    const upTo = this.last;
    const first = this.ring[0]?.eventId ?? upTo + 1;
    const fromRing = (after: number) => this.ring.filter((e) => e.eventId > after && e.eventId <= upTo && filter(e));
    if (since >= first - 1) return { events: fromRing(since), upTo };
    try {
      const older = await eventsBetween(this.db, since, first - 1, facilities);
      // Too far behind to patch: the caller sends a snapshot instead.
      if (older === null) return null;
      return { events: [...older.filter(filter), ...fromRing(first - 1)], upTo };
    } catch (err) {
      this.log.warn({ err, since }, 'could not read alert events for a resuming client');
      return null;
    }
  }
}
