import { STREAM_CLOSE_UNAUTHORIZED, type AlertEvent, type StreamHello } from '@vigil/protocol';
import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/processes.js';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import { makeAlert, startApiFixture, type ApiFixture } from './fixture.js';

describe('api WebSocket stream', () => {
  let fx: ApiFixture;
  let watcher: StreamClient;
  const open: StreamClient[] = [];
  const connect = async (hello?: { token: string; since?: StreamHello['since'] }) => {
    const client = await connectStream(fx.api.url, hello);
    open.push(client);
    return client;
  };
  /** Emits through the broker and waits until the api has applied the event (an admin client saw it). */
  const emitted = async (...args: Parameters<ApiFixture['emit']>): Promise<AlertEvent> => {
    const event = await fx.emit(...args);
    await watcher.next('alert', (m) => m.eventId === event.eventId && m.alert.facility === event.alert.facility);
    return event;
  };
  /** The (facility, event id) of each alert message a client got, in order. */
  const received = (client: StreamClient) =>
    client.messages.flatMap((m) => (m.type === 'alert' ? [`${m.alert.facility}:${m.eventId}`] : []));
  const keys = (events: AlertEvent[]) => events.map((e) => `${e.alert.facility}:${e.eventId}`);

  beforeAll(async () => {
    // A small ring, so that resuming from far back exercises the database path.
    fx = await startApiFixture({ heartbeatMs: 400, helloTimeoutMs: 500, ringSize: 3, tokenCacheMs: 300 });
    watcher = await connectStream(fx.api.url, { token: fx.tokens.admin });
    await watcher.next('snapshot');
  });
  afterAll(async () => {
    for (const client of [watcher, ...open]) client?.close();
    await fx?.close();
  });

  it('closes with 4401 when no hello arrives in time, or the hello is bad', async () => {
    const silent = await connect();
    expect(await silent.closed).toEqual({ code: STREAM_CLOSE_UNAUTHORIZED, reason: 'no hello within the time limit' });
    const wrongToken = await connect({ token: 'vgl_wrong' });
    expect((await wrongToken.closed).code).toBe(STREAM_CLOSE_UNAUTHORIZED);
    expect(wrongToken.messages).toEqual([]);

    const raw = new WebSocket(`${fx.api.url.replace('http', 'ws')}/api/v1/stream`);
    const closed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));
    raw.once('open', () => raw.send('{"type":"subscribe"}'));
    expect(await closed).toBe(STREAM_CLOSE_UNAUTHORIZED);
  });

  it('sends a snapshot of the open alerts in scope, then live events in order, and heartbeats', async () => {
    const fall = makeAlert({ facility: 'f1' });
    const elsewhere = makeAlert({ facility: 'f3', device: 'wb-f3' });
    const raised = await emitted('raised', fall);
    await emitted('raised', elsewhere);
    const resolvedBefore = makeAlert({ facility: 'f1', subject: 'device:sm-f1', rule: 'fire', resident: null });
    await emitted('raised', resolvedBefore);
    const gone = await emitted('resolved', { ...resolvedBefore, status: 'resolved', outcome: 'false_alarm' });

    const client = await connect({ token: fx.tokens.caregiver });
    const snapshot = await client.next('snapshot');
    expect(snapshot.alerts.map((a) => a.id)).toEqual([fall.id]);
    // Ids are numbered per facility; a client is told those of its own facilities only.
    expect(snapshot.lastEventIds).toEqual({ f1: gone.eventId });
    expect(raised.eventId).toBeLessThan(gone.eventId);

    const ack = await emitted(
      'acknowledged',
      { ...fall, status: 'acknowledged', acknowledgedBy: 'carol', acknowledgedAt: new Date().toISOString() },
      { actor: 'carol' },
    );
    await emitted('raised', makeAlert({ facility: 'f3', device: 'sm-f3', subject: 'device:sm-f3', resident: null }));
    const last = await emitted('escalated', { ...fall, status: 'acknowledged', escalationLevel: 1 });
    await client.next('alert', (m) => m.eventId === last.eventId);
    const alerts = client.messages.filter((m) => m.type === 'alert');
    expect(alerts.map((m) => [m.eventId, m.event])).toEqual([
      [ack.eventId, 'acknowledged'],
      [last.eventId, 'escalated'],
    ]);

    // Heartbeats carry each facility's newest event id (here, the last one this client was sent).
    const heartbeat = await client.next('heartbeat', (m) => m.lastEventIds.f1 === last.eventId);
    expect(Object.keys(heartbeat.lastEventIds)).toEqual(['f1']);
  });

  it('gives a client that resumes with `since` exactly the events it missed (ring and database)', async () => {
    const first = await connect({ token: fx.tokens.caregiver });
    const everywhere = await connect({ token: fx.tokens.admin });
    const { lastEventIds: since } = await first.next('snapshot');
    const { lastEventIds: adminSince } = await everywhere.next('snapshot');
    first.close();
    everywhere.close();
    const missed: AlertEvent[] = [];
    const missedElsewhere: AlertEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const alert = makeAlert({ facility: 'f1', rule: 'gas', subject: `device:gas-${i}`, resident: null });
      missed.push(await emitted('raised', alert));
      const other = makeAlert({ facility: 'f2', rule: 'gas', subject: `device:gas-${i}`, resident: null });
      missedElsewhere.push(await emitted('raised', other));
    }
    // Eight events since, the ring holds three: the older ones come from alert_events.
    const resumed = await connect({ token: fx.tokens.caregiver, since });
    const caughtUp = await resumed.next('heartbeat');
    expect(caughtUp.lastEventIds).toEqual({ f1: missed.at(-1)!.eventId });
    // No snapshot on resume: the missed events, then a heartbeat saying "caught up".
    expect(resumed.messages.slice(0, 5).map((m) => m.type)).toEqual(['alert', 'alert', 'alert', 'alert', 'heartbeat']);
    expect(received(resumed)).toEqual(keys(missed));

    // Across facilities: each facility's missed events, in its order.
    const admin = await connect({ token: fx.tokens.admin, since: adminSince });
    const adminCaughtUp = await admin.next('heartbeat');
    expect(adminCaughtUp.lastEventIds).toMatchObject({
      f1: missed.at(-1)!.eventId,
      f2: missedElsewhere.at(-1)!.eventId,
    });
    const perFacility = (facility: string) => received(admin).filter((key) => key.startsWith(`${facility}:`));
    expect(perFacility('f1')).toEqual(keys(missed));
    expect(perFacility('f2')).toEqual(keys(missedElsewhere));
    expect(received(admin)).toHaveLength(8);

    // Live events follow without a gap or a repeat.
    const next = await emitted('raised', makeAlert({ facility: 'f1', rule: 'sos', subject: 'resident:anna' }));
    await resumed.next('alert', (m) => m.eventId === next.eventId && m.alert.facility === 'f1');
    expect(received(resumed)).toEqual(keys([...missed, next]));
  });

  it('answers the hello of a web app from before ids were per facility with a snapshot', async () => {
    for (const since of [1, null]) {
      const client = await connect({ token: fx.tokens.caregiver, since });
      const snapshot = await client.next('snapshot');
      expect(snapshot.lastEventIds.f1).toBeGreaterThan(1);
    }
  });

  it('reads back events it never received (a gap in the ids) and drops invalid payloads', async () => {
    const client = await connect({ token: fx.tokens.caregiver });
    await client.next('snapshot');
    const unseen = await fx.emit('raised', makeAlert({ facility: 'f1', rule: 'wandering', subject: 'location:exit' }), {
      publish: false,
    });
    await fx.publishRaw('{"eventId":"not an event"}');
    await fx.publishRaw('not json at all');
    const seen = await emitted('raised', makeAlert({ facility: 'f1', rule: 'fire', subject: 'device:sm-x' }));
    await client.next('alert', (m) => m.eventId === seen.eventId && m.alert.facility === 'f1');
    expect(received(client)).toEqual(keys([unseen, seen]));
    const metrics = await fx.call(null, '/metrics');
    expect(metrics.body).toMatch(/vigil_api_alert_events_received_total\{result="invalid"\} 2/);
  });

  it('starts over with a fresh snapshot when the alerts service allocates event ids again', async () => {
    const client = await connect({ token: fx.tokens.caregiver });
    await client.next('snapshot');
    // Published but never stored (alerts service without database), then lost when it restarted.
    const lost = await emitted('raised', makeAlert({ facility: 'f1', rule: 'sos', subject: 'device:button-9' }), {
      store: false,
    });
    await client.next('alert', (m) => m.eventId === lost.eventId && m.alert.facility === 'f1');
    // The restarted service hands out the same id again, for a different event.
    const reused = makeAlert({ facility: 'f1', rule: 'fire', subject: 'device:sm-f1', resident: null });
    await fx.emit('raised', reused, { eventId: lost.eventId });
    // Stored before it was published, so the reloaded snapshot already has it (and not the lost one).
    const fresh = await client.next('snapshot', (m) => m !== client.messages[0]);
    expect(fresh.lastEventIds.f1).toBe(lost.eventId);
    const ids = fresh.alerts.map((a) => a.id);
    expect(ids).toContain(reused.id);
    expect(ids).not.toContain(lost.alert.id);
    // Resuming from before the reuse gets the stored event, not the lost one.
    const resumed = await connect({ token: fx.tokens.caregiver, since: { f1: lost.eventId - 1 } });
    await resumed.next('heartbeat');
    expect(resumed.messages[0]).toMatchObject({ type: 'alert', eventId: lost.eventId, alert: { id: reused.id } });
  });

  it('answers an upgrade to any other route in HTTP, and closes its socket', async () => {
    const { hostname, port } = new URL(fx.api.url);
    const upgrade = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), hostname);
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.once('error', reject);
        // Resolves only once the server closes the socket: left open, the test times out.
        socket.once('close', () => resolve(answer));
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
    expect(await upgrade('/api/v1/me')).toMatch(/^HTTP\/1\.1 401 .*VIGIL_ERR_API_UNAUTHENTICATED/s);
    expect(await upgrade('/no/such/page')).toMatch(/^HTTP\/1\.1 404 .*VIGIL_ERR_API_NOT_FOUND/s);
  });

  it('cuts off a connected client whose token is revoked', async () => {
    const { createToken } = await import('@vigil/store');
    const { token } = await createToken(fx.db.pool, { role: 'display', facility: 'f1', label: 'lost tablet' });
    const client = await connect({ token });
    await client.next('snapshot');
    await fx.db.pool.query(`UPDATE api_tokens SET revoked_at = now() WHERE label = 'lost tablet'`);
    expect(await client.closed).toEqual({
      code: STREAM_CLOSE_UNAUTHORIZED,
      reason: 'the token was revoked or has expired',
    });
  });

  it('shows regulators pseudonyms only, and display tokens their facility', async () => {
    const { rows } = await fx.db.pool.query(`SELECT pseudonym FROM residents WHERE facility_id = 'f2'`);
    // Admins (the watcher too) subscribed before the regulator: the full view is serialised first and must stay theirs.
    const admin = await connect({ token: fx.tokens.admin });
    await admin.next('snapshot');
    const regulator = await connect({ token: fx.tokens.regulator });
    const display = await connect({ token: fx.tokens.display });
    const snapshot = await regulator.next('snapshot');
    expect(JSON.stringify(snapshot)).not.toMatch(/"anna"|resident:anna|confidence|wb-f/);
    await display.next('snapshot');
    const event = await emitted('raised', makeAlert({ facility: 'f2', device: 'wb-f2' }));
    const pushed = await regulator.next('alert', (m) => m.eventId === event.eventId && m.alert.facility === 'f2');
    const heard = display.messages.length;
    expect(pushed.alert).toMatchObject({
      resident: rows[0].pseudonym,
      subject: `resident:${rows[0].pseudonym}`,
      device: null,
    });
    expect(pushed.alert.detail).toBe('fall alert');
    const full = await admin.next('alert', (m) => m.eventId === event.eventId);
    expect(full.alert).toMatchObject({ resident: 'anna', subject: 'resident:anna', device: 'wb-f2' });
    await waitFor('the display heartbeat after the event', () =>
      display.messages.slice(heard).find((m) => m.type === 'heartbeat'),
    );
    expect(display.messages.filter((m) => m.type === 'alert')).toEqual([]);
    // Not even the other facility's name and event count.
    expect(JSON.stringify(display.messages)).not.toMatch(/"f2"/);
  });
});
