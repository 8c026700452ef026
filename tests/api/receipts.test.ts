import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import { waitFor } from '../helpers/processes.js';
import { makeAlert, startApiFixture, type ApiFixture } from './fixture.js';

/**
 * Receipts (IHE ACM; docs/api.md "WebSocket stream", docs/alerts.md "Receipts"): a display confirms over its stream
 * which events it received and showed; the api records them per display, once, and the alert detail lists them.
 */
describe('display receipts over the stream', () => {
  let fx: ApiFixture;
  let display: StreamClient;

  beforeAll(async () => {
    fx = await startApiFixture();
  });
  afterAll(async () => {
    display?.close();
    await fx?.close();
  });

  const receiptRows = async (alertId: string) =>
    (
      await fx.db.pool.query(
        `SELECT event_id::int AS "eventId", display, label, delivered_at AS "deliveredAt", shown_at AS "shownAt"
         FROM alert_receipts WHERE alert_id = $1 ORDER BY event_id`,
        [alertId],
      )
    ).rows;

  it('records delivered and shown per display and event, keeps the first times, and lists them in the detail', async () => {
    const before = makeAlert({ facility: 'f1', subject: 'resident:anna:before' });
    await fx.emit('raised', before);
    display = await connectStream(fx.api.url, { token: fx.tokens.display });
    const snapshot = await display.next('snapshot');
    expect(snapshot.alerts.map((a) => a.id)).toContain(before.id);
    const fall = makeAlert({ facility: 'f1' });
    const raised = await fx.emit('raised', fall);
    await display.next('alert', (m) => m.eventId === raised.eventId);
    const foreign = makeAlert({ facility: 'f2' });
    await fx.emit('raised', foreign); // never sent to this display

    display.send({ type: 'receipt', receipts: [{ alertId: before.id, eventId: 0, delivered: true, shown: true }] });
    display.send({ type: 'receipt', receipts: [{ alertId: fall.id, eventId: raised.eventId, delivered: true }] });
    display.send({ type: 'receipt', receipts: [{ alertId: fall.id, eventId: raised.eventId, shown: true }] });
    display.send({ type: 'receipt', receipts: [{ alertId: foreign.id, eventId: 1, shown: true }] });
    display.send({ type: 'receipt', receipts: [{ alertId: fall.id, eventId: -1 }] }); // malformed: ignored
    const [first] = await waitFor('both receipts of the fall', async () => {
      const rows = await receiptRows(fall.id);
      return rows[0]?.deliveredAt && rows[0]?.shownAt ? rows : null;
    });
    const me = (await fx.call(fx.tokens.display, '/api/v1/me')).body;
    expect(first).toMatchObject({ eventId: raised.eventId, label: me.actor });
    expect(first.shownAt.getTime()).toBeGreaterThanOrEqual(first.deliveredAt.getTime());
    await waitFor('the snapshot copy', async () => (await receiptRows(before.id)).length === 1);
    expect(await receiptRows(foreign.id)).toEqual([]);

    // Confirmed again (a reconnect): the first times stay.
    display.send({
      type: 'receipt',
      receipts: [{ alertId: fall.id, eventId: raised.eventId, delivered: true, shown: true }],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await receiptRows(fall.id)).toEqual([first]);

    const detail = await fx.call(fx.tokens.officer, `/api/v1/alerts/${fall.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.receipts).toEqual([
      {
        display: first.display,
        label: me.actor,
        deliveredAt: first.deliveredAt.toISOString(),
        shownAt: first.shownAt.toISOString(),
        events: [
          {
            eventId: raised.eventId,
            deliveredAt: first.deliveredAt.toISOString(),
            shownAt: first.shownAt.toISOString(),
          },
        ],
      },
    ]);
    // Regulators see that displays confirmed, not who they are.
    const regulator = await fx.call(fx.tokens.regulator, `/api/v1/alerts/${fall.id}`);
    expect(regulator.body.receipts).toMatchObject([{ label: null, shownAt: first.shownAt.toISOString() }]);
  });
});
