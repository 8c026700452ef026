import { randomBytes, randomUUID } from 'node:crypto';
import {
  addDevice,
  addFacility,
  addLocation,
  addResident,
  createToken,
  upsertServiceAccount,
  type TokenInput,
} from '@vigil/store';
import { INTERNAL_TOPICS, type Alert, type AlertEvent, type AlertEventType } from '@vigil/protocol';
import mqtt from 'mqtt';
import { start, type ApiHandle, type ApiOptions } from '@vigil/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';

/** Two facilities in region `north`, one in `south`; residents with names; devices; one token per role. */
async function seedRegistry(db: TestDatabase) {
  await addFacility(db.pool, { id: 'f1', name: 'Haus Linde', region: 'north', timezone: 'Europe/Berlin' });
  await addFacility(db.pool, { id: 'f2', name: 'Haus Eiche', region: 'north', timezone: 'Europe/Berlin' });
  await addFacility(db.pool, { id: 'f3', name: 'Casa Sud', region: 'south', timezone: 'Europe/Rome' });
  const secrets: Record<string, string> = {};
  for (const f of ['f1', 'f2', 'f3']) {
    await addLocation(db.pool, { facility: f, id: 'room-1', kind: 'room', name: 'Room 1' });
    await addResident(db.pool, {
      facility: f,
      id: 'anna',
      name: `Anna ${f}`,
      careLevel: 'semi-dependent',
      fallRisk: 'high',
      location: 'room-1',
    });
    for (const device of [
      { facility: f, id: `wb-${f}`, kind: 'wristband' as const, resident: 'anna' },
      { facility: f, id: `sm-${f}`, kind: 'smoke' as const, location: 'room-1' },
    ]) {
      secrets[device.id] = (await addDevice(db.pool, device)).secret;
    }
  }
  const token = async (input: TokenInput) => (await createToken(db.pool, input)).token;
  const tokens = {
    admin: await token({ role: 'admin', label: 'admin-test' }),
    caregiver: await token({ role: 'caregiver', facility: 'f1', label: 'carol' }),
    officer: await token({ role: 'safety-officer', facility: 'f1', label: 'otto' }),
    display: await token({ role: 'display', facility: 'f1', label: 'night-desk' }),
    regulator: await token({ role: 'regulator', region: 'north', label: 'reg-north' }),
    regulatorSouth: await token({ role: 'regulator', region: 'south', label: 'reg-south' }),
    caregiverF3: await token({ role: 'caregiver', facility: 'f3', label: 'cara' }),
  };
  return { tokens, secrets };
}

export type Tokens = Awaited<ReturnType<typeof seedRegistry>>['tokens'];

/** A full protocol alert for tests; override what matters. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    facility: 'f1',
    rule: 'fall',
    priority: 'critical',
    status: 'open',
    subject: 'resident:anna',
    resident: 'anna',
    device: 'wb-f1',
    location: 'room-1',
    detail: 'fall detected (confidence 0.93)',
    drill: false,
    escalationLevel: 0,
    raisedAt: now,
    occurredAt: now,
    lastSeenAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    presentAt: null,
    presentBy: null,
    resolvedAt: null,
    resolvedBy: null,
    outcome: null,
    note: null,
    ...overrides,
  };
}

export interface EmitOptions {
  actor?: string | null;
  /** Publish on the broker (default true); false: only in the database, as if the publish was lost. */
  publish?: boolean;
  /** Write to the database (default true); false: published only, as if the alerts service had no database. */
  store?: boolean;
  /** Use this id instead of the next one (to imitate an id allocated twice). */
  eventId?: number;
}

export interface ApiFixture {
  db: TestDatabase;
  api: ApiHandle;
  tokens: Tokens;
  /** Device secrets by device id (`wb-f1`, `sm-f1`, … for f1–f3). */
  secrets: Record<string, string>;
  gatewayUrl: string;
  /** Records an alert event as the alerts service does: alert row + event row, then the MQTT publish. */
  emit(type: AlertEventType, alert: Alert, options?: EmitOptions): Promise<AlertEvent>;
  /** Starts the api again on the same port (after `api.close()`); `api` then refers to the new instance. */
  restartApi(): Promise<void>;
  /** Publishes any payload on the alert events topic (as a misbehaving alerts service would). */
  publishRaw(payload: string): Promise<void>;
  /** An HTTP request against the api with a bearer token; the body is parsed JSON (or text), untyped on purpose. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(token: string | null, path: string, init?: RequestInit): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Database + real gateway + the api (port 0), and an MQTT publisher with an `alerts` service account. */
export async function startApiFixture(options: Partial<ApiOptions> = {}): Promise<ApiFixture> {
  const db = await createTestDatabase();
  const gateway = await startTestGateway(db.url);
  const { tokens, secrets } = await seedRegistry(db);
  const apiAccount = await upsertServiceAccount(db.pool, 'svc-api', 'api');
  const alertsAccount = await upsertServiceAccount(db.pool, 'svc-alerts-test', 'alerts');
  const publisher = await mqtt.connectAsync(gateway.url, {
    username: alertsAccount.id,
    password: alertsAccount.secret,
    clientId: `test-alerts-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
  });
  const apiOptions: ApiOptions = {
    port: 0,
    databaseUrl: db.url,
    mqtt: { url: gateway.url, username: apiAccount.id, password: apiAccount.secret },
    ...options,
  };
  const api = await start(apiOptions);
  // Event ids are numbered per facility (docs/alerts.md "Workers").
  const nextEventIds = new Map<string, number>();

  const fixture: ApiFixture = {
    db,
    api,
    tokens,
    secrets,
    gatewayUrl: gateway.url,
    async emit(type, alert, { actor = null, publish = true, store = true, eventId } = {}) {
      eventId ??= nextEventIds.get(alert.facility) ?? 1;
      nextEventIds.set(alert.facility, Math.max(nextEventIds.get(alert.facility) ?? 1, eventId + 1));
      const event: AlertEvent = { eventId, event: type, at: new Date().toISOString(), actor, alert };
      if (publish && !store) {
        await publisher.publishAsync(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), { qos: 1 });
        return event;
      }
      await db.pool.query(
        `INSERT INTO alerts (id, facility_id, rule, priority, status, subject, resident_id, device_id, location_id,
           detail, drill, escalation_level, raised_at, occurred_at, last_seen_at, acknowledged_at, acknowledged_by,
           resolved_at, resolved_by, outcome, note)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, escalation_level = EXCLUDED.escalation_level,
           acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by,
           resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by, outcome = EXCLUDED.outcome,
           note = EXCLUDED.note, last_seen_at = EXCLUDED.last_seen_at`,
        [
          alert.id,
          alert.facility,
          alert.rule,
          alert.priority,
          alert.status,
          alert.subject,
          alert.resident,
          alert.device,
          alert.location,
          alert.detail,
          alert.drill,
          alert.escalationLevel,
          alert.raisedAt,
          alert.occurredAt,
          alert.lastSeenAt,
          alert.acknowledgedAt,
          alert.acknowledgedBy,
          alert.resolvedAt,
          alert.resolvedBy,
          alert.outcome,
          alert.note,
        ],
      );
      await db.pool.query(
        `INSERT INTO alert_events (id, alert_id, facility_id, type, at, actor, data, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [event.eventId, alert.id, alert.facility, type, event.at, actor, JSON.stringify(alert), randomBytes(32)],
      );
      if (publish) await publisher.publishAsync(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), { qos: 1 });
      return event;
    },
    async restartApi() {
      await fixture.api.close();
      fixture.api = await start({ ...apiOptions, port: fixture.api.port });
    },
    async publishRaw(payload) {
      await publisher.publishAsync(INTERNAL_TOPICS.alertEvents, payload, { qos: 1 });
    },
    async call(token, path, init = {}) {
      const headers = new Headers(init.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (init.body) headers.set('content-type', 'application/json');
      const response = await fetch(`${api.url}${path}`, { ...init, headers });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (metrics, HTML)
      }
      return { status: response.status, body };
    },
    async close() {
      await fixture.api.close();
      await publisher.endAsync();
      await gateway.close();
      await db.drop();
    },
  };
  return fixture;
}
