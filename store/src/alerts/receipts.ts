import type { Queryable } from '@vigil/core';

/**
 * Receipts of alert events by the displays (IHE ACM; docs/alerts.md "Receipts"), table `alert_receipts`: keyed by
 * (alert, event id, display), so they hold whatever the event ids' numbering (event id 0: a snapshot's copy).
 */
export interface ReceiptRow {
  alertId: string;
  eventId: number;
  facility: string;
  /** The token or sign-in session the display streams with, and its label (the principal's actor). */
  display: string;
  label: string;
  deliveredAt: Date | null;
  shownAt: Date | null;
}

/**
 * Records receipts in one statement; idempotent: a repeated receipt keeps the first times. Within a batch the same
 * key may occur twice (delivered, then shown): the rows are merged first.
 */
export async function recordReceipts(db: Queryable, rows: readonly ReceiptRow[]): Promise<void> {
  if (!rows.length) return;
  const column = <K extends keyof ReceiptRow>(key: K) => rows.map((row) => row[key]);
  await db.query(
    `INSERT INTO alert_receipts AS r (alert_id, event_id, facility_id, display, label, delivered_at, shown_at)
     SELECT alert_id, event_id, min(facility_id), display, min(label), min(delivered_at), min(shown_at)
     FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
       AS t (alert_id, event_id, facility_id, display, label, delivered_at, shown_at)
     GROUP BY alert_id, event_id, display
     ON CONFLICT (alert_id, event_id, display) DO UPDATE SET
       delivered_at = coalesce(r.delivered_at, EXCLUDED.delivered_at),
       shown_at = coalesce(r.shown_at, EXCLUDED.shown_at)`,
    [
      column('alertId'),
      column('eventId'),
      column('facility'),
      column('display'),
      column('label'),
      column('deliveredAt'),
      column('shownAt'),
    ],
  );
}

/** One display's receipts of an alert: the first delivery and showing, and per event. */
export interface DisplayReceipts {
  display: string;
  label: string;
  deliveredAt: Date | null;
  shownAt: Date | null;
  events: { eventId: number; deliveredAt: Date | null; shownAt: Date | null }[];
}

/** Every display that confirmed an event of the alert, the first to show it first. */
export async function receiptsOfAlert(db: Queryable, alertId: string): Promise<DisplayReceipts[]> {
  const { rows } = await db.query<DisplayReceipts>(
    `SELECT display, min(label) AS label, min(delivered_at) AS "deliveredAt", min(shown_at) AS "shownAt",
       json_agg(json_build_object('eventId', event_id, 'deliveredAt', delivered_at, 'shownAt', shown_at)
         ORDER BY event_id) AS events
     FROM alert_receipts WHERE alert_id = $1
     GROUP BY display ORDER BY min(shown_at) NULLS LAST, min(delivered_at) NULLS LAST, display`,
    [alertId],
  );
  return rows.map((row) => ({
    ...row,
    events: row.events.map((e) => ({
      eventId: Number(e.eventId),
      deliveredAt: e.deliveredAt === null ? null : new Date(e.deliveredAt),
      shownAt: e.shownAt === null ? null : new Date(e.shownAt),
    })),
  }));
}

/** What the receipts say about alerts the alerts service might escalate as unseen. */
export interface UnseenCheck {
  /** Shown by some display within the window after being raised. */
  shown: string[];
  /** Already escalated as unseen (an `escalated` event by that actor), e.g. before a restart. */
  escalated: string[];
}

/**
 * Of the given alerts, those some display showed within `withinMs` of being raised, and those already escalated by
 * `actor` (docs/alerts.md "Receipts").
 */
export async function checkUnseen(
  db: Queryable,
  alerts: readonly { id: string; raisedAt: string }[],
  withinMs: number,
  actor: string,
): Promise<UnseenCheck> {
  const { rows } = await db.query<{ id: string; shown: boolean; escalated: boolean }>(
    `SELECT c.id,
       EXISTS (SELECT 1 FROM alert_receipts r WHERE r.alert_id = c.id AND r.shown_at IS NOT NULL
               AND r.shown_at <= c.raised_at + $3 * interval '1 millisecond') AS shown,
       EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = c.id AND e.type = 'escalated' AND e.actor = $4)
         AS escalated
     FROM unnest($1::uuid[], $2::timestamptz[]) AS c (id, raised_at)`,
    [alerts.map((a) => a.id), alerts.map((a) => a.raisedAt), withinMs, actor],
  );
  return {
    shown: rows.filter((r) => r.shown).map((r) => r.id),
    escalated: rows.filter((r) => r.escalated).map((r) => r.id),
  };
}
