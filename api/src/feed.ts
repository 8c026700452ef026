import { type Logger, type Pool } from '@vigil/core';
import type { Alert, AlertEvent, LastEventIds } from '@vigil/protocol';
import { eventsBetween, openAlertsAsOf, type EventRange } from '@vigil/store';
import type { Directory } from './scope.js';
import { isTransientDatabaseError } from '@vigil/store';

export type FeedListener = (event: AlertEvent) => void;
/** Called when the feed had to be reloaded: what clients were told may be wrong, so they need a new snapshot. */
export type ResetListener = () => void;

/** Which facilities a reader may see. */
export type FacilityFilter = (facility: string) => boolean;

/**
 * The api's in-memory view of the alert event stream: the open alerts, each facility's newest event id, and a ring
 * of recent events, kept strictly in eventId order per facility (ids are numbered per facility, docs/alerts.md
 * "Workers": the order between facilities is the order of arrival). It is seeded from the database at start and then advanced only by
 * the events the alerts service publishes, so snapshots and live events always agree, and the stream keeps
 * working while the database is down (the alerts service pushes from memory then).
 */
export class AlertFeed {
  private readonly open = new Map<string, Alert>();
  private readonly ring: AlertEvent[] = [];
  private readonly listeners = new Set<FeedListener>();
  private readonly resetListeners = new Set<ResetListener>();
  private queue: Promise<void> = Promise.resolve();
  /** Each facility's newest event id applied. */
  private last = new Map<string, number>();
  /** Each facility's newest event id not in the ring (not yet, at load; or pushed out of it). */
  private floor = new Map<string, number>();
  private seeded = false;

  constructor(
    private readonly db: Pool,
    private readonly directory: Directory,
    private readonly log: Logger,
    private readonly ringSize = 10_000,
  ) {}

  /** The newest event id applied for `facility` (0: none). */
  lastEventId(facility: string): number {
    return this.last.get(facility) ?? 0;
  }

  /** The newest event id of each facility `visible` accepts (those with events). */
  lastEventIds(visible: FacilityFilter): LastEventIds {
    return Object.fromEntries([...this.last].filter(([facility]) => visible(facility)));
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
    const { alerts, lastEventIds } = await openAlertsAsOf(this.db);
    this.open.clear();
    for (const alert of alerts) this.open.set(alert.id, alert);
    this.ring.length = 0;
    this.last = new Map(lastEventIds);
    this.floor = new Map(lastEventIds);
    this.seeded = true;
    this.log.info({ open: alerts.length, facilities: lastEventIds.size }, 'alert feed loaded');
  }

  /** Offers an event from the broker; duplicates (QoS 1 redelivery, a persistent session's backlog) are dropped. */
  offer(event: AlertEvent): Promise<void> {
    const step = this.queue.then(() => this.advance(event));
    this.queue = step.catch((err) =>
      this.log.error({ err, facility: event.alert.facility, eventId: event.eventId }, 'alert event not applied'),
    );
    return this.queue;
  }

  private async advance(event: AlertEvent): Promise<void> {
    const facility = event.alert.facility;
    if (event.eventId <= this.lastEventId(facility)) {
      if (!this.isReused(event)) return; // a duplicate (QoS 1 redelivery, a session's backlog)
      // The facility's worker restarted without events it had only in memory (database down, then a crash) and
      // allocates their ids again: start over from the database, and tell every client.
      const last = this.lastEventId(facility);
      this.log.error({ facility, eventId: event.eventId, last }, 'alert event ids went backwards; reloading');
      await this.reload();
      if (event.eventId <= this.lastEventId(facility)) return;
    }
    if (event.eventId > this.lastEventId(facility) + 1) await this.fillGap(facility, event.eventId);
    if (event.eventId <= this.lastEventId(facility)) return; // a reload during the gap fill already has it
    await this.directory.ensure(event.alert.facility, event.alert.resident).catch((err) => {
      // Without the directory a regulator may miss this event, but nobody else does: never block the stream.
      if (!isTransientDatabaseError(err)) throw err;
    });
    this.apply(event);
  }

  /** Same id, different event: only an id allocated twice looks like this. */
  private isReused(event: AlertEvent): boolean {
    const seen = this.ring.find((e) => e.eventId === event.eventId && e.alert.facility === event.alert.facility);
    return (
      seen !== undefined && (seen.alert.id !== event.alert.id || seen.event !== event.event || seen.at !== event.at)
    );
  }

  /** A gap in a facility's ids means we missed events (e.g. published before our session existed): read them back. */
  private async fillGap(facility: string, upTo: number): Promise<void> {
    const from = this.lastEventId(facility);
    try {
      const missed = await eventsBetween(this.db, [{ facility, after: from, upTo: upTo - 1 }]);
      if (missed === null) {
        this.log.warn({ facility, from, to: upTo }, 'too many missed alert events; reloading');
        return await this.reload();
      }
      for (const event of missed) {
        await this.directory.ensure(event.alert.facility, event.alert.resident);
        this.apply(event);
      }
      if (this.lastEventId(facility) < upTo - 1) this.log.debug({ facility, from, to: upTo }, 'event ids skipped');
    } catch (err) {
      this.log.warn({ err, facility, from, to: upTo }, 'could not read missed alert events; continuing');
    }
  }

  /** Starts over from the database and tells every listener that what it was told may be wrong. */
  private async reload(): Promise<void> {
    await this.load();
    for (const listener of this.resetListeners) listener();
  }

  private apply(event: AlertEvent): void {
    this.last.set(event.alert.facility, event.eventId);
    if (event.alert.status === 'resolved') this.open.delete(event.alert.id);
    else this.open.set(event.alert.id, event.alert);
    this.ring.push(event);
    if (this.ring.length > this.ringSize) {
      for (const out of this.ring.splice(0, this.ring.length - this.ringSize)) {
        this.floor.set(out.alert.facility, out.eventId);
      }
    }
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

  /** The open alerts of the `visible` facilities, as of their `lastEventIds`. Synchronous: no event interleaves. */
  snapshot(visible: FacilityFilter): { alerts: Alert[]; lastEventIds: LastEventIds } {
    const alerts = [...this.open.values()].filter((alert) => visible(alert.facility));
    return { alerts, lastEventIds: this.lastEventIds(visible) };
  }

  /** An open alert known to the feed (also those not yet in the database). */
  openAlert(id: string): Alert | undefined {
    return this.open.get(id);
  }

  /**
   * The events of the `visible` facilities after `since` (up to their current `lastEventIds`), from the ring or,
   * for a facility the ring does not reach back far enough, from the database (only those facilities' rows). Null
   * when neither can provide them.
   */
  async since(since: LastEventIds, visible: FacilityFilter) {
    const upTo = this.lastEventIds(visible);
    const after = (facility: string) => since[facility] ?? 0;
    const ranges: EventRange[] = Object.keys(upTo).flatMap((facility) => {
      const floor = this.floor.get(facility) ?? 0;
      return after(facility) < floor ? [{ facility, after: after(facility), upTo: floor }] : [];
    });
    const fromRing = this.ring.filter((e) => {
      const facility = e.alert.facility;
      return e.eventId > after(facility) && e.eventId <= (upTo[facility] ?? 0);
    });
    if (!ranges.length) return { events: fromRing, upTo };
    try {
      const older = await eventsBetween(this.db, ranges);
      // Too far behind to patch: the caller sends a snapshot instead.
      if (older === null) return null;
      return { events: [...older, ...fromRing], upTo };
    } catch (err) {
      this.log.warn({ err, facilities: ranges.length }, 'could not read alert events for a resuming client');
      return null;
    }
  }
}
