import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock } from '@vigil/core';
import {
  addContact,
  addDwelling,
  addEndpoint,
  addFacility,
  addHomeKit,
  addResident,
  addShift,
  addUser,
  createToken,
  setFacilityKind,
  upsertServiceAccount,
} from '@vigil/store';
import { INTERNAL_TOPICS, type Alert, type AlertEvent } from '@vigil/protocol';
import { start as startApi, type ApiHandle, type ApiOptions } from '@vigil/api';
import type { GatewayOptions } from '@vigil/gateway';
import { start as startDispatch, type DispatchHandle, type DispatchOptions } from '@vigil/dispatch';
import { makeAlert } from '../api/fixture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';

export const STATION = 'st-chaoyang';
export const DWELLING = 'd-001';
export const RESIDENT = 'r-wang';
export const DISTRICT = '朝阳区';
const HOUR = 3_600_000;

/**
 * A home-care station: facility `st-chaoyang` (Asia/Shanghai) with the dwelling `d-001` of 王秀英 and its home kit;
 * staff 张伟 on duty in 朝阳区 and the lead 李娜; the daughter 王芳 with consent. A real gateway, the api, and the
 * dispatch service on its own durable session.
 */
export async function startStation(
  options: {
    clock?: Clock;
    dispatch?: Partial<DispatchOptions>;
    /** E.g. a TLS listener beside the plain one, for the home kits. */
    gateway?: Partial<GatewayOptions>;
    api?: Partial<ApiOptions>;
  } = {},
) {
  const db: TestDatabase = await createTestDatabase();
  const gateway = await startTestGateway(db.url, options.gateway);
  const pool = db.pool;
  await addFacility(pool, { id: STATION, name: '朝阳区居家养老服务站', region: 'beijing', timezone: 'Asia/Shanghai' });
  await setFacilityKind(pool, STATION, 'home-care');
  await addDwelling(pool, {
    facility: STATION,
    id: DWELLING,
    name: '王秀英家',
    address: '北京市朝阳区安贞里三区 5 号楼 2 单元 301',
    district: DISTRICT,
    accessNote: '钥匙盒在门左侧，密码 2468',
  });
  await addResident(pool, {
    facility: STATION,
    id: RESIDENT,
    name: '王秀英',
    careLevel: 'semi-dependent',
    location: DWELLING,
  });
  const kit = await addHomeKit(pool, { facility: STATION, dwelling: DWELLING, resident: RESIDENT });
  await addUser(pool, { id: 'zhang', name: '张伟', role: 'caregiver', facility: STATION });
  await addUser(pool, { id: 'zhao', name: '赵敏', role: 'caregiver', facility: STATION });
  await addUser(pool, { id: 'li', name: '李娜', role: 'safety-officer', facility: STATION });
  const now = Date.now();
  // Shifts far wider than any clock the tests move.
  const shift = { facility: STATION, startsAt: new Date(now - 24 * HOUR), endsAt: new Date(now + 24 * HOUR) };
  await addShift(pool, { ...shift, user: 'zhang', district: DISTRICT });
  await addShift(pool, { ...shift, user: 'zhao', district: '海淀区' }); // another district: not offered
  await addShift(pool, { ...shift, user: 'li', lead: true });
  const daughter = await addContact(pool, {
    facility: STATION,
    resident: RESIDENT,
    name: '王芳',
    relation: '女儿',
    email: 'wangfang@example.com',
    consentedAt: new Date(now - HOUR),
  });
  await addEndpoint(pool, {
    facility: STATION,
    contact: daughter,
    channel: 'email',
    target: { email: 'wangfang@example.com' },
  });
  const tokens = {
    zhang: (await createToken(pool, { role: 'caregiver', facility: STATION, user: 'zhang' })).token,
    zhao: (await createToken(pool, { role: 'caregiver', facility: STATION, user: 'zhao' })).token,
    li: (await createToken(pool, { role: 'safety-officer', facility: STATION, user: 'li' })).token,
  };

  const apiAccount = await upsertServiceAccount(pool, 'svc-api', 'api');
  const api: ApiHandle = await startApi({
    port: 0,
    databaseUrl: db.url,
    mqtt: { url: gateway.url, username: apiAccount.id, password: apiAccount.secret },
    clock: options.clock,
    ...options.api,
  });
  const dispatchAccount = await upsertServiceAccount(pool, 'svc-dispatch', 'dispatch');
  const dispatchOptions: DispatchOptions = {
    databaseUrl: db.url,
    mqtt: {
      url: gateway.url,
      username: dispatchAccount.id,
      password: dispatchAccount.secret,
      clientId: `vigil-dispatch-${randomBytes(4).toString('hex')}`,
    },
    clock: options.clock,
    ...options.dispatch,
    times: { tickMs: 50, ...options.dispatch?.times },
  };
  let dispatch: DispatchHandle = await startDispatch(dispatchOptions);

  // Plays the alerts service's part where a test needs an alert event of its own making.
  const alertsAccount = await upsertServiceAccount(pool, 'svc-alerts-test', 'alerts');
  const publisher: MqttClient = await mqtt.connectAsync(gateway.url, {
    username: alertsAccount.id,
    password: alertsAccount.secret,
    clientId: `test-alerts-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
  });

  return {
    db,
    gateway,
    api,
    kit,
    tokens,
    get dispatch() {
      return dispatch;
    },
    /** Stops dispatch and starts it again on the same durable session. */
    async restartDispatch() {
      await dispatch.close();
      dispatch = await startDispatch(dispatchOptions);
    },
    publishEvent: (event: AlertEvent) =>
      publisher.publishAsync(INTERNAL_TOPICS.alertEvents, JSON.stringify(event), { qos: 1 }),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async call(token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      if (init.body) headers.set('content-type', 'application/json');
      const response = await fetch(`${api.url}/api/v1${path}`, { ...init, headers });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await publisher.endAsync();
      await dispatch.close();
      await api.close();
      await gateway.close();
      await db.drop();
    },
  };
}
export type Station = Awaited<ReturnType<typeof startStation>>;

/** A `raised` event of an alert at the dwelling, as the alerts service publishes it; override what matters. */
export function dwellingAlertEvent(overrides: Partial<Alert> & { at: number }, eventId = 9001): AlertEvent {
  const { at, ...alert } = overrides;
  const time = new Date(at).toISOString();
  return {
    eventId,
    event: 'raised',
    at: time,
    actor: null,
    alert: makeAlert({
      facility: STATION,
      rule: 'gas',
      subject: `location:${DWELLING}`,
      resident: null,
      device: `${DWELLING}-gas`,
      location: DWELLING,
      detail: 'gas 25% LEL',
      raisedAt: time,
      occurredAt: time,
      lastSeenAt: time,
      ...alert,
    }),
  };
}
