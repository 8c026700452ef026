import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { type Clock, type Queryable } from '@vigil/core';
import { addDevice, addFacility, addLocation, addResident, upsertServiceAccount } from '@vigil/store';
import { alertEventSchema, deviceTopic, INTERNAL_TOPICS, type AlertEvent, type DeviceKind } from '@vigil/protocol';
import { COMMANDS_CHANNEL, start, type AlertsHandle, type AlertsOptions } from '@vigil/alerts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { waitFor } from '../helpers/processes.js';

/** A facility with one place of each kind and one resident at risk of falling and wandering. */
export async function seedFacility(db: Queryable, facility: string, settings: object = {}): Promise<void> {
  await addFacility(db, { id: facility, name: `Facility ${facility}`, region: 'north', timezone: 'Europe/Berlin' });
  await db.query('UPDATE facilities SET settings = $2 WHERE id = $1', [facility, JSON.stringify(settings)]);
  for (const [id, kind] of [
    ['room-1', 'room'],
    ['kitchen-1', 'kitchen'],
    ['exit-1', 'exit'],
    ['board-1', 'board'],
    ['dwelling-1', 'dwelling'],
  ] as const) {
    await addLocation(db, { facility, id, kind });
  }
  await addResident(db, {
    facility,
    id: 'r1',
    careLevel: 'fully-dependent',
    fallRisk: 'high',
    wanderRisk: true,
    location: 'room-1',
  });
}

export interface TestDevice {
  id: string;
  kind: DeviceKind;
  client: mqtt.MqttClient;
  seq: number;
  publish(kind: 'reading' | 'event' | 'status', body: object): Promise<void>;
  close(): Promise<void>;
}

/** Registers a device and connects it to the gateway with its own credentials. */
export async function connectDevice(
  db: Queryable,
  gatewayUrl: string,
  device: {
    facility: string;
    id: string;
    kind: DeviceKind;
    resident?: string;
    location?: string;
    expectedIntervalS?: number;
  },
): Promise<TestDevice> {
  const { secret } = await addDevice(db, device);
  const client = await mqtt.connectAsync(gatewayUrl, {
    clientId: device.id,
    username: device.id,
    password: secret,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  const handle: TestDevice = {
    id: device.id,
    kind: device.kind,
    client,
    seq: 0,
    async publish(kind, body) {
      const payload = kind === 'status' ? body : { seq: ++handle.seq, ...body };
      await client.publishAsync(deviceTopic(device.facility, device.id, kind), JSON.stringify(payload), { qos: 1 });
    },
    close: () => client.endAsync(),
  };
  return handle;
}

/** Listens on the internal alert-events topic as the api would, keeping every validated event. */
export interface EventListener {
  events: AlertEvent[];
  next(what: string, match: (e: AlertEvent) => boolean, timeoutMs?: number): Promise<AlertEvent>;
  close(): Promise<void>;
}

export async function listenForEvents(db: Queryable, gatewayUrl: string, id = 'svc-api-test'): Promise<EventListener> {
  const { secret } = await upsertServiceAccount(db, id, 'api');
  const client = await mqtt.connectAsync(gatewayUrl, {
    clientId: id,
    username: id,
    password: secret,
    protocolVersion: 4,
  });
  const events: AlertEvent[] = [];
  client.on('message', (_topic, payload) => events.push(alertEventSchema.parse(JSON.parse(payload.toString()))));
  await client.subscribeAsync(INTERNAL_TOPICS.alertEvents, { qos: 1 });
  return {
    events,
    next: (what, match, timeoutMs = 15_000) => waitFor(what, () => events.find(match), timeoutMs, 20),
    close: () => client.endAsync(),
  };
}

/** HH:MM in Berlin, `offsetMin` from now: night windows are judged in the facility's zone. */
export function berlinTime(offsetMin: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Berlin',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  })
    .format(Date.now() + offsetMin * 60_000)
    .replace(/^24/, '00');
}

/** A clock the test moves by hand (escalation runs on it). */
export function manualClock(): Clock & { advance(ms: number): void; offset: number } {
  const clock = {
    offset: 0,
    now: () => Date.now() + clock.offset,
    advance: (ms: number) => void (clock.offset += ms),
  };
  return clock;
}

let clientSeq = 0;

/**
 * Starts the alerts service against a test database and gateway with fast timers. Without `dataDir` its disk
 * backlog lives in a temporary folder removed at close.
 */
export async function startTestAlerts(
  db: Queryable & { url?: string },
  databaseUrl: string,
  gatewayUrl: string,
  { clientId, ...options }: Partial<AlertsOptions> & { clientId?: string } = {},
): Promise<AlertsHandle> {
  const { secret } = await upsertServiceAccount(db, 'svc-alerts', 'alerts');
  const ownDir = options.dataDir ? null : await mkdtemp(path.join(os.tmpdir(), 'vigil-alerts-'));
  const handle = await start({
    databaseUrl,
    dataDir: ownDir ?? options.dataDir!,
    mqtt: {
      url: gatewayUrl,
      username: 'svc-alerts',
      password: secret,
      clientId: clientId ?? `vigil-alerts-test-${++clientSeq}`,
    },
    tickMs: 50,
    commandPollMs: 500,
    // Off unless a test asks: no display takes part here, so every open alert would be escalated after 10 s.
    unseenAfterMs: 0,
    ...options,
  }).catch(async (err) => {
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    throw err;
  });
  if (!ownDir) return handle;
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await rm(ownDir, { recursive: true, force: true });
    },
  };
}

/** Inserts an api command the way the api does, and announces it. Returns the command id. */
export async function sendCommand(
  db: Queryable,
  command: {
    facility: string;
    command: 'acknowledge' | 'presence' | 'resolve' | 'drill';
    actor: string;
    alertId?: string;
    args?: object;
  },
): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO alert_commands (facility_id, alert_id, command, actor, args) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [command.facility, command.alertId ?? null, command.command, command.actor, JSON.stringify(command.args ?? {})],
  );
  await db.query(`SELECT pg_notify('${COMMANDS_CHANNEL}', $1)`, [String(rows[0].id)]);
  return Number(rows[0].id);
}

/** Waits until the command row is processed; returns its error code (null on success). */
export async function commandResult(
  db: Queryable,
  id: number,
): Promise<{ error: string | null; alertId: string | null }> {
  const row = await waitFor(`command ${id} processed`, async () => {
    const { rows } = await db.query('SELECT processed_at, error_code, alert_id FROM alert_commands WHERE id = $1', [
      id,
    ]);
    return rows[0]?.processed_at ? rows[0] : null;
  });
  return { error: row.error_code, alertId: row.alert_id };
}

/** What most alert tests start from: facility f1 (seedFacility), a gateway, an api-like listener, r1's wristband. */
export interface BandFixture {
  db: TestDatabase;
  gateway: Awaited<ReturnType<typeof startTestGateway>>;
  listener: EventListener;
  band: TestDevice;
  /** Closes all of it (close the alerts service first). */
  close(): Promise<void>;
}

export async function startBandFixture(): Promise<BandFixture> {
  const db = await createTestDatabase();
  const opened: (() => Promise<unknown>)[] = [() => db.drop()];
  const close = async () => {
    for (const undo of opened.reverse()) await undo();
  };
  try {
    await seedFacility(db.pool, 'f1');
    const gateway = await startTestGateway(db.url);
    opened.push(() => gateway.close());
    const listener = await listenForEvents(db.pool, gateway.url);
    opened.push(() => listener.close());
    const band = await connectDevice(db.pool, gateway.url, {
      facility: 'f1',
      id: 'wb-1',
      kind: 'wristband',
      resident: 'r1',
    });
    opened.push(() => band.close());
    return { db, gateway, listener, band, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The alerts service on facilities of its own (seedFacility with each one's settings), a gateway and a listener. */
export interface ServiceFixture {
  db: TestDatabase;
  gateway: Awaited<ReturnType<typeof startTestGateway>>;
  alerts: AlertsHandle;
  listener: EventListener;
  /** Registers and connects a device that `close()` disconnects. */
  connect(device: Parameters<typeof connectDevice>[2]): Promise<TestDevice>;
  close(): Promise<void>;
}

export async function startServiceFixture(
  facilities: Record<string, object>,
  options: Partial<AlertsOptions> = {},
): Promise<ServiceFixture> {
  const db = await createTestDatabase();
  const opened: (() => Promise<unknown>)[] = [() => db.drop()];
  const close = async () => {
    for (const undo of opened.reverse()) await undo();
  };
  try {
    for (const [facility, settings] of Object.entries(facilities)) await seedFacility(db.pool, facility, settings);
    const gateway = await startTestGateway(db.url);
    opened.push(() => gateway.close());
    const alerts = await startTestAlerts(db.pool, db.url, gateway.url, options);
    opened.push(() => alerts.close());
    const listener = await listenForEvents(db.pool, gateway.url);
    opened.push(() => listener.close());
    const connect = async (device: Parameters<typeof connectDevice>[2]) => {
      const connected = await connectDevice(db.pool, gateway.url, device);
      opened.push(() => connected.close());
      return connected;
    };
    return { db, gateway, alerts, listener, connect, close };
  } catch (err) {
    await close();
    throw err;
  }
}
