import type pg from 'pg';
import type { Clock, Logger } from '@vigil/core';
import { checkUnseen } from '@vigil/store';
import { UNSEEN_ACTOR, type AlertBook } from './alert-book.js';
import type { Appended } from './event-log.js';

/** Alerts raised longer ago than this are not checked any more (the escalation chain has long taken over). */
const HORIZON_MS = 60 * 60_000;

/**
 * An alert no display has shown within `afterMs` of being raised is escalated once, to the safety officer
 * (docs/alerts.md "Receipts"). The displays' receipts are in the database (the api writes them); this asks about
 * the open alerts old enough on every tick, one question at a time. While the database is away the question waits
 * for it, and the rest of the tick (rules, escalation) goes on from memory; back, the receipts' times decide.
 */
export class UnseenWatch {
  private asking = false;
  private failing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly book: AlertBook,
    private readonly escalate: (ids: string[]) => Appended[],
    private readonly options: { afterMs: number; clock: Clock; log: Logger },
  ) {}

  check(): void {
    const { afterMs, clock, log } = this.options;
    if (!afterMs || this.asking) return;
    const candidates = this.book.unseenCandidates(clock.now(), afterMs, HORIZON_MS);
    if (!candidates.length) return;
    this.asking = true;
    checkUnseen(this.pool, candidates, afterMs, UNSEEN_ACTOR)
      .then(({ shown, escalated }) => {
        if (this.failing) log.info('receipts readable again');
        this.failing = false;
        const settled = new Set([...shown, ...escalated]);
        this.book.settleUnseen([...settled]);
        const unseen = candidates.map((c) => c.id).filter((id) => !settled.has(id));
        if (!unseen.length) return;
        log.warn({ alerts: unseen }, 'alerts no display showed in time: escalated to the safety officer');
        this.escalate(unseen);
      })
      .catch((err) => {
        if (!this.failing) log.warn({ err }, 'cannot read the displays’ receipts; retrying every tick');
        this.failing = true;
      })
      .finally(() => (this.asking = false));
  }
}
