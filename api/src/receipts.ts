import type { Clock, Logger, Pool } from '@vigil/core';
import { streamReceiptSchema, type Alert } from '@vigil/protocol';
import { DurableQueue, recordReceipts, type Principal, type ReceiptRow } from '@vigil/store';

/** Alerts a session remembers having sent (the newest; older receipts are ignored). */
const SENT_MAX = 10_000;

/**
 * Writes the displays' receipts (docs/alerts.md "Receipts") into `alert_receipts` in batches, stamped with the time
 * they reached the api. While the database is away they wait in memory (bounded), and are written with those times
 * once it is back, so the alerts service's judgement ("shown within 10 s") still holds.
 */
export class ReceiptRecorder {
  private readonly queue: DurableQueue<ReceiptRow>;

  constructor(
    db: Pool,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.queue = new DurableQueue<ReceiptRow>({
      write: (batch) => recordReceipts(db, batch),
      refuse: async (row, err) => log.warn({ err, alertId: row.alertId }, 'receipt refused by the database'),
      log,
      maxBatch: 500,
      lingerMs: 50,
      maxQueue: 100_000,
      onDrop: (count) => log.warn({ count }, 'receipts dropped: too many waiting for the database'),
    });
  }

  /** The receipts of one stream session, as its principal. */
  session(principal: Principal): SessionReceipts {
    return new SessionReceipts(this, principal);
  }

  record(rows: ReceiptRow[]): void {
    for (const row of rows) void this.queue.push(row);
  }

  now(): Date {
    return new Date(this.clock.now());
  }

  invalid(reason: string): void {
    this.log.debug({ reason }, 'receipt message ignored');
  }

  close(timeoutMs = 2_000): Promise<number> {
    return this.queue.drain(timeoutMs);
  }
}

/**
 * One stream's receipts: it accepts receipts only for alerts it sent to this client (which also gives their
 * facility, in the principal's scope), and records them as the session's display — its token or sign-in session,
 * labelled with the principal's actor.
 */
export class SessionReceipts {
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly recorder: ReceiptRecorder,
    private readonly principal: Principal,
  ) {}

  /** The stream sent this alert (an event or a snapshot's copy). */
  sentAlert(alert: Alert): void {
    this.sent.delete(alert.id);
    this.sent.set(alert.id, alert.facility);
    if (this.sent.size > SENT_MAX) this.sent.delete(this.sent.keys().next().value!);
  }

  /** A client message after the hello: a `receipt`, or ignored. */
  receive(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.recorder.invalid('not JSON');
    }
    const parsed = streamReceiptSchema.safeParse(json);
    if (!parsed.success) return this.recorder.invalid(parsed.error.message);
    const at = this.recorder.now();
    const rows: ReceiptRow[] = [];
    for (const r of parsed.data.receipts) {
      const facility = this.sent.get(r.alertId);
      if (facility === undefined) continue;
      rows.push({
        alertId: r.alertId,
        eventId: r.eventId,
        facility,
        display: this.principal.tokenId,
        label: this.principal.actor,
        deliveredAt: r.delivered ? at : null,
        shownAt: r.shown ? at : null,
      });
    }
    this.recorder.record(rows);
  }
}
