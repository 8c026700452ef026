import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startApi, type ApiHandle } from '@vigil/api';
import { start, verifyChain, type AlertsHandle } from '@vigil/alerts';
import type { AlertEvent } from '@vigil/protocol';
import { addFacility, createToken, upsertServiceAccount } from '@vigil/store';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { connectStream, type StreamClient } from '../helpers/stream-client.js';
import {
  commandResult,
  connectDevice,
  listenForEvents,
  seedFacility,
  sendCommand,
  type EventListener,
  type TestDevice,
} from './harness.js';

/**
 * Two alerts workers on one database and one broker, each owning one facility (docs/alerts.md "Workers"), and the
 * api's stream in front of both.
 */
describe('alerts workers sharing one database', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let api: ApiHandle;
  let listener: EventListener;
  let adminToken: string;
  const workers = new Map<string, AlertsHandle>();
  const opened: (() => Promise<unknown> | void)[] = [];
  const bands: Record<string, TestDevice> = {};

  /** A worker as a deployment runs one: its own broker account, client id and data dir. */
  const startWorker = async (name: string, facilities?: string[]): Promise<AlertsHandle> => {
    const { secret } = await upsertServiceAccount(db.pool, `svc-${name}`, 'alerts');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), `vigil-${name}-`));
    opened.push(() => rm(dataDir, { recursive: true, force: true }));
    const handle = await start({
      databaseUrl: db.url,
      dataDir,
      ...(facilities ? { facilities } : {}),
      mqtt: { url: gateway.url, username: `svc-${name}`, password: secret, clientId: name },
      tickMs: 50,
      commandPollMs: 500,
    });
    workers.set(name, handle);
    return handle;
  };
  const stream = async (since?: Record<string, number>): Promise<StreamClient> => {
    const client = await connectStream(api.url, { token: adminToken, ...(since ? { since } : {}) });
    opened.push(() => client.close());
    return client;
  };
  const eventsOf = (facility: string) => listener.events.filter((e) => e.alert.facility === facility);
  const key = (e: { eventId: number; alert: { facility: string } }) => `${e.alert.facility}:${e.eventId}`;
  /** A drill through the commands inbox; resolves once the api's stream has the event. */
  const drill = async (facility: string): Promise<AlertEvent> => {
    const id = await sendCommand(db.pool, { facility, command: 'drill', actor: 'user:lin', args: {} });
    const { error, alertId } = await commandResult(db.pool, id);
    expect(error).toBeNull();
    const event = await listener.next(`${facility} drill`, (e) => e.alert.id === alertId);
    await watcher.next('alert', (m) => key(m) === key(event));
    return event;
  };
  let watcher: StreamClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFacility(db.pool, 'fa');
    await seedFacility(db.pool, 'fb');
    gateway = await startTestGateway(db.url);
    const apiAccount = await upsertServiceAccount(db.pool, 'svc-api', 'api');
    api = await startApi({
      port: 0,
      databaseUrl: db.url,
      mqtt: { url: gateway.url, username: apiAccount.id, password: apiAccount.secret },
    });
    adminToken = (await createToken(db.pool, { role: 'admin', label: 'admin-test' })).token;
    listener = await listenForEvents(db.pool, gateway.url);
    await startWorker('alerts-a', ['fa']);
    await startWorker('alerts-b', ['fb']);
    for (const facility of ['fa', 'fb']) {
      bands[facility] = await connectDevice(db.pool, gateway.url, {
        facility,
        id: `wb-${facility}`,
        kind: 'wristband',
        resident: 'r1',
      });
    }
  });
  afterAll(async () => {
    for (const band of Object.values(bands)) await band.close();
    await listener?.close();
    for (const worker of workers.values()) await worker.close();
    await api?.close();
    for (const close of opened.reverse()) await close();
    await gateway?.close();
    await db?.drop();
  });

  it('refuses a second worker for a facility another worker owns, naming the owner', async () => {
    await expect(startWorker('alerts-c', ['fa', 'fc'])).rejects.toMatchObject({
      code: 'VIGIL_ERR_ALERTS_FACILITY_UNKNOWN',
    });
    await addFacility(db.pool, { id: 'fc', name: 'Facility fc', region: 'north', timezone: 'Europe/Berlin' });
    await expect(startWorker('alerts-c', ['fa', 'fc'])).rejects.toMatchObject({
      code: 'VIGIL_ERR_ALERTS_FACILITY_OWNED',
      message: expect.stringContaining('fa (owned by alerts-a)'),
    });
    // A worker for every facility (the single-process default) is refused as well.
    await expect(startWorker('alerts-all')).rejects.toMatchObject({ code: 'VIGIL_ERR_ALERTS_FACILITY_OWNED' });
    // The refused worker kept nothing, not even the facility nobody owned.
    const { rows } = await db.pool.query('SELECT facility_id, worker FROM alert_facility_owners ORDER BY 1');
    expect(rows).toEqual([
      { facility_id: 'fa', worker: 'alerts-a' },
      { facility_id: 'fb', worker: 'alerts-b' },
    ]);
  });

  it('each worker raises and answers commands only for its own facility, numbering its events from 1', async () => {
    watcher = await stream();
    expect((await watcher.next('snapshot')).lastEventIds).toEqual({});
    for (const facility of ['fa', 'fb']) {
      await bands[facility]!.publish('event', { ts: Date.now(), type: 'fall', confidence: 0.95 });
    }
    const falls = await Promise.all(
      ['fa', 'fb'].map((facility) =>
        listener.next(`${facility} fall`, (e) => e.event === 'raised' && e.alert.facility === facility),
      ),
    );
    expect(falls.map((e) => [e.alert.facility, e.eventId])).toEqual([
      ['fa', 1],
      ['fb', 1],
    ]);
    expect(
      workers
        .get('alerts-a')!
        .unresolved()
        .map((a) => a.facility),
    ).toEqual(['fa']);
    expect(
      workers
        .get('alerts-b')!
        .unresolved()
        .map((a) => a.facility),
    ).toEqual(['fb']);

    const ack = await sendCommand(db.pool, {
      facility: 'fb',
      command: 'acknowledge',
      actor: 'user:wang',
      alertId: falls[1]!.alert.id,
    });
    expect((await commandResult(db.pool, ack)).error).toBeNull();
    const acked = await listener.next('fb acknowledged', (e) => e.event === 'acknowledged');
    expect([acked.alert.facility, acked.eventId]).toEqual(['fb', 2]);
    expect(workers.get('alerts-b')!.lastEventId('fb')).toBe(2);
    expect(workers.get('alerts-a')!.lastEventId('fb')).toBe(0);

    // The api's stream carries both workers' events, each facility in its order.
    await watcher.next('alert', (m) => m.alert.facility === 'fb' && m.eventId === 2);
    const pushed = watcher.messages.flatMap((m) => (m.type === 'alert' ? [key(m)] : []));
    expect(pushed.filter((k) => k.startsWith('fa:'))).toEqual(['fa:1']);
    expect(pushed.filter((k) => k.startsWith('fb:'))).toEqual(['fb:1', 'fb:2']);
  });

  it('a client resuming with each facility’s event id gets exactly what it missed of both', async () => {
    const first = await stream();
    const { lastEventIds: since } = await first.next('snapshot');
    expect(since).toEqual({ fa: 1, fb: 2 });
    first.close();
    const missed = [await drill('fa'), await drill('fb'), await drill('fa')];
    const resumed = await stream(since);
    const caughtUp = await resumed.next('heartbeat');
    expect(caughtUp.lastEventIds).toEqual({ fa: 3, fb: 3 });
    expect(resumed.messages.filter((m) => m.type === 'snapshot')).toEqual([]);
    const got = resumed.messages.flatMap((m) => (m.type === 'alert' ? [key(m)] : []));
    expect(got.sort()).toEqual(missed.map(key).sort());
  });

  it('stores every event once with gap-free ids per facility, and both chains verify', async () => {
    const stored = async () =>
      (
        await db.pool.query<{ facility: string; ids: string[] }>(
          `SELECT facility_id AS facility, array_agg(id ORDER BY id) AS ids FROM alert_events GROUP BY 1 ORDER BY 1`,
        )
      ).rows.map((r) => ({ facility: r.facility, ids: r.ids.map(Number) }));
    const expected = ['fa', 'fb'].map((facility) => ({
      facility,
      ids: eventsOf(facility)
        .map((e) => e.eventId)
        .sort((a, b) => a - b),
    }));
    await expect.poll(stored).toEqual(expected);
    for (const { ids } of expected) expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(await verifyChain(db.pool)).toEqual({
      facilities: expected.map(({ facility, ids }) => ({ facility, events: ids.length })),
      broken: null,
    });
  });

  it('hands a facility over once its worker has stopped cleanly: the new worker continues its ids and chain', async () => {
    await workers.get('alerts-a')!.close();
    workers.delete('alerts-a');
    const taker = await startWorker('alerts-c', ['fa']);
    expect(taker.lastEventId('fa')).toBe(3);
    const next = await drill('fa');
    expect(next.eventId).toBe(4);
    await expect
      .poll(() => verifyChain(db.pool, { facility: 'fa' }))
      .toEqual({
        facilities: [{ facility: 'fa', events: 4 }],
        broken: null,
      });
  });
});
