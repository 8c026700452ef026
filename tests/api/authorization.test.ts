import {
  addContact,
  addDwelling,
  addShift,
  addUser,
  createPlan,
  createToken,
  openWorkOrder,
  putCoveragePolicy,
  scheduleDrill,
  uploadPlanDocument,
  type TokenRole,
} from '@vigil/store';
import { PERMISSIONS, type Action } from '@vigil/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert, startApiFixture, type ApiFixture } from './fixture.js';

/**
 * The authorization matrix, generated from the routes' own metadata: every operation of the OpenAPI document
 * (`x-vigil-action`) × every role × its own and another facility or region. A new route without a CASES entry
 * fails here; the expected answer comes from scope.ts `PERMISSIONS`, never from a second list.
 */
interface Target {
  facility: string;
  resident: string;
  device: string;
  alert: string;
  workOrder: string;
}
interface Case {
  query?: (t: Target) => Record<string, string>;
  body?: (t: Target) => unknown;
  /** False for routes that concern no facility (retention, the session): no other-scope request. */
  scoped?: boolean;
  /**
   * A fresh credential of the role for each request, for operations that destroy the one they are called with
   * (sign-out): the role's shared token must survive for the rest of the matrix.
   */
  freshToken?: boolean;
  /** The public sign-in (`x-vigil-public`): no role; called once without a credential, it must answer 200. */
  public?: boolean;
}
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString();
const CASES: Record<string, Case> = {
  getSession: { scoped: false },
  listFacilities: { scoped: false },
  getFacility: {},
  createFacility: {
    scoped: false,
    body: () => ({
      id: `fx-${Math.random().toString(36).slice(2, 8)}`,
      name: 'New',
      region: 'north',
      timezone: 'Europe/Berlin',
    }),
  },
  updateFacility: { body: () => ({ settings: { vitals: { hrAbove: 130 } } }) },
  listLocations: {},
  createLocation: { body: () => ({ id: `loc-${Math.random().toString(36).slice(2, 8)}`, kind: 'room' }) },
  updateLocation: { body: () => ({ name: 'Room one' }) },
  listResidents: { query: (t) => ({ facility: t.facility }) },
  getResident: {},
  getResidentThresholds: {},
  createResident: { body: () => ({ id: `r-${Math.random().toString(36).slice(2, 8)}`, careLevel: 'self-care' }) },
  updateResident: { body: () => ({ wanderRisk: true, thresholds: { night: { start: '22:00', end: '06:00' } } }) },
  dischargeResident: {},
  getVitalsHistory: { query: () => ({ from: day(-1), to: day(0), bucket: '1h' }) },
  getConsent: {},
  setConsent: { body: () => ({ vitals: true, location: true, familyNotification: false }) },
  exportResident: {},
  eraseResident: {},
  listDevices: { query: (t) => ({ facility: t.facility }) },
  getDevice: {},
  registerDevice: {
    body: (t) => ({ facility: t.facility, id: `d-${Math.random().toString(36).slice(2, 8)}`, kind: 'pir' }),
  },
  assignDevice: { body: () => ({ location: 'room-1' }) },
  retireDevice: {},
  rotateDeviceSecret: {},
  listAlerts: { query: (t) => ({ facility: t.facility, priority: 'critical' }) },
  getAlert: {},
  getAlertTimeline: {},
  acknowledgeAlert: {},
  markPresence: {},
  resolveAlert: { body: () => ({ outcome: 'assisted' }) },
  assignAlert: { body: () => ({ assignee: 'carla' }) },
  unassignAlert: {},
  listDrills: { query: (t) => ({ facility: t.facility }) },
  startDrill: { body: (t) => ({ facility: t.facility }) },
  getResponseAnalytics: { query: (t) => ({ facility: t.facility }) },
  getFalseAlarmAnalytics: { query: (t) => ({ facility: t.facility }) },
  getFalseAlarmsByFacility: { scoped: false },
  listFacilityShifts: {},
  replaceFacilityShifts: {
    body: () => ({ shifts: [{ id: 'all-day', name: '全天', starts: '07:00', ends: '07:00' }] }),
  },
  getDisplayLabels: { query: (t) => ({ facility: t.facility }) },
  getRoomBoard: { query: (t) => ({ facility: t.facility }) },
  pauseDisplaySound: { body: (t) => ({ facility: t.facility, display: 'matrix' }) },
  listCoveragePolicies: { query: (t) => ({ facility: t.facility }) },
  getCoveragePolicy: {},
  putCoveragePolicy: { body: () => POLICY },
  deleteCoveragePolicy: {},
  listDeadLetters: { query: (t) => ({ facility: t.facility }) },
  listAudit: { query: (t) => ({ facility: t.facility }) },
  listRetention: { scoped: false },
  setRetention: { scoped: false, body: () => ({ days: 400 }) },
  login: { public: true, body: () => ({ username: 'signs-in', password: 'signs-in-password' }) },
  logout: { scoped: false, freshToken: true },
  getSignedInUser: { scoped: false },
  // The matrix's tokens belong to no user: a 4xx that writes nothing (tests/api/auth.test.ts changes one).
  changeOwnPassword: { scoped: false, body: () => ({ oldPassword: 'whatever123', newPassword: 'a new password 1' }) },
  listUsers: { scoped: false },
  getUser: {},
  createUser: {
    body: (t) => ({
      id: `u-${Math.random().toString(36).slice(2, 8)}`,
      name: 'New',
      role: 'caregiver',
      facility: t.facility,
    }),
  },
  disableUser: {},
  // u-f1 / u-f3 may not be disabled (yet) when this runs: 409, which writes nothing.
  enableUser: {},
  setUserRole: { body: () => ({ role: 'caregiver' }) },
  resetUserPassword: { body: () => ({ password: 'a new password 2' }) },
  listTokens: { scoped: false },
  createToken: { body: (t) => ({ role: 'display', facility: t.facility, expiresAt: day(1) }) },
  revokeToken: {},
  getCoverageAudit: { query: (t) => ({ facility: t.facility, from: day(-7), to: day(0) }) },
  listCoveragePolicyVersions: { query: (t) => ({ facility: t.facility }) },
  listPlans: { query: (t) => ({ facility: t.facility }) },
  createPlan: {
    body: (t) => ({
      facility: t.facility,
      id: `p-${Math.random().toString(36).slice(2, 8)}`,
      kind: 'gas',
      title: 'Gas leak',
      reviewDue: '2027-06-30',
    }),
  },
  getPlan: {},
  getPlanDocument: {},
  // JSON is no document type: 400 for whoever may upload (tests/audit/plans.test.ts uploads real documents).
  uploadPlanDocument: { query: () => ({ filename: 'plan.txt' }), body: () => ({ text: 'not a document' }) },
  // `filed` is the facility's: a regulator may call the route (reports) but gets 403 in the handler.
  setPlanFiling: { body: () => ({ status: 'filed' }) },
  schedulePlanDrill: { body: () => ({ scheduledFor: day(7) }) },
  runPlanDrill: { body: () => ({ participants: ['otto'] }) },
  updatePlanDrill: { body: () => ({ findings: 'exits clear' }) },
  listWorkOrders: { query: (t) => ({ facility: t.facility, status: 'all' }) },
  getWorkOrder: {},
  stepWorkOrder: { body: () => ({ note: 'on my way' }) },
  listWorkOrderDeliveries: {},
  listDwellings: { query: (t) => ({ facility: t.facility }) },
  getDwelling: {},
  // A person's own settings: no facility in the request.
  listNotificationEndpoints: { scoped: false },
  addNotificationEndpoint: {
    scoped: false,
    body: () => ({ channel: 'webhook', target: { url: 'https://example.org/hook' } }),
  },
  removeNotificationEndpoint: { scoped: false },
  getNotificationPreferences: { scoped: false },
  getVapidKey: { scoped: false },
  listStaffShifts: { query: (t) => ({ facility: t.facility }) },
  createStaffShift: {
    body: (t) => ({ facility: t.facility, user: `u-${t.facility}`, startsAt: day(0), endsAt: day(1), lead: true }),
  },
  updateStaffShift: { body: () => ({ district: 'east' }) },
  deleteStaffShift: {},
  listResidentContacts: {},
  createResidentContact: {
    body: () => ({ name: 'Anna Junior', relation: 'daughter', email: 'junior@example.org', consent: true }),
  },
  updateResidentContact: { body: () => ({ consent: false }) },
  deleteResidentContact: {},
  setNotificationPreferences: {
    scoped: false,
    body: () => ({ preferences: [{ channel: 'webhook', priorities: ['critical'] }], quietHours: null }),
  },
};
const POLICY = { places: [{ kind: 'room', devices: ['pir'] }], residents: [] };

interface Operation {
  method: string;
  path: string;
  operationId: string;
  action: Action;
  public: boolean;
}

describe('api authorization matrix (every role × every route × own and other scope)', () => {
  let fx: ApiFixture;
  let operations: Operation[];
  const alerts = { f1: makeAlert({ facility: 'f1' }), f3: makeAlert({ facility: 'f3', device: 'wb-f3' }) };
  const pseudonyms: Record<string, string> = {};
  /** A display token of each facility, for revokeToken. */
  const tokenIds: Record<string, string> = {};
  const drills: Record<string, string> = {};
  const workOrders: Record<string, string> = {};
  const shifts: Record<string, string> = {};
  const contacts: Record<string, string> = {};

  beforeAll(async () => {
    fx = await startApiFixture({ commandTimeoutMs: 200 });
    await fx.emit('raised', alerts.f1, { publish: false });
    await fx.emit('raised', alerts.f3, { publish: false });
    for (const f of ['f1', 'f3'] as const) {
      await putCoveragePolicy(fx.db.pool, f, POLICY);
      await createPlan(fx.db.pool, f, { id: 'fire', kind: 'fire', title: 'Fire', reviewDue: '2027-06-30' });
      const document = Buffer.from('# Fire\n');
      await uploadPlanDocument(fx.db.pool, f, 'fire', {
        filename: 'fire.md',
        mediaType: 'text/markdown',
        document,
        uploadedBy: 'seed',
      });
      drills[f] = String((await scheduleDrill(fx.db.pool, f, 'fire', new Date(day(7)))).id);
    }
    await addUser(fx.db.pool, { id: 'carla', name: 'Carla', role: 'caregiver', facility: 'f1' });
    await addUser(fx.db.pool, { id: 'cara3', name: 'Cara', role: 'caregiver', facility: 'f3' });
    // Signs in (login); u-f1 and u-f3 are disabled and get new passwords as the matrix goes.
    await addUser(fx.db.pool, {
      id: 'signs-in',
      name: 'Signs In',
      role: 'caregiver',
      facility: 'f1',
      password: 'signs-in-password',
    });
    for (const f of ['f1', 'f3']) {
      await addUser(fx.db.pool, {
        id: `u-${f}`,
        name: `User ${f}`,
        role: 'caregiver',
        facility: f,
        password: `u-${f}-password`,
      });
      tokenIds[f] = (await createToken(fx.db.pool, { role: 'display', facility: f, label: `matrix ${f}` })).id;
    }
    for (const [f, alert] of Object.entries(alerts)) {
      await addDwelling(fx.db.pool, { facility: f, id: 'home-1', address: 'Lindenweg 4', district: 'east' });
      const createdAt = new Date(alert.raisedAt);
      const { order } = await openWorkOrder(fx.db.pool, {
        facility: f,
        location: 'home-1',
        resident: 'anna',
        alertId: alert.id,
        rule: alert.rule,
        priority: alert.priority,
        offeredTo: [],
        createdAt,
        onSiteDueAt: new Date(createdAt.getTime() + 15 * 60_000),
      });
      workOrders[f] = order.id;
      const shift = { facility: f, user: `u-${f}`, startsAt: new Date(day(0)), endsAt: new Date(day(1)) };
      shifts[f] = String(await addShift(fx.db.pool, shift));
      contacts[f] = String(
        await addContact(fx.db.pool, { facility: f, resident: 'anna', name: 'Ann', relation: 'son' }),
      );
    }
    const { rows } = await fx.db.pool.query<{ facility: string; pseudonym: string }>(
      `SELECT facility_id AS facility, pseudonym FROM residents WHERE id = 'anna'`,
    );
    for (const row of rows) pseudonyms[row.facility] = row.pseudonym;
    const doc = (await fx.call(null, '/api/v1/openapi.json')).body;
    const paths = Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>);
    operations = paths
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          operationId: op.operationId as string,
          action: op['x-vigil-action'] as Action,
          public: op['x-vigil-public'] === true,
        })),
      );
  });
  afterAll(async () => fx?.close());

  const roles: { name: string; role: TokenRole; token: () => string; own: string; other: string | null }[] = [
    { name: 'admin', role: 'admin', token: () => fx.tokens.admin, own: 'f1', other: null },
    { name: 'officer', role: 'safety-officer', token: () => fx.tokens.officer, own: 'f1', other: 'f3' },
    { name: 'caregiver', role: 'caregiver', token: () => fx.tokens.caregiver, own: 'f1', other: 'f3' },
    { name: 'display', role: 'display', token: () => fx.tokens.display, own: 'f1', other: 'f3' },
    { name: 'regulator', role: 'regulator', token: () => fx.tokens.regulator, own: 'f1', other: 'f3' },
  ];

  function request(op: Operation, role: TokenRole, facility: string) {
    const t: Target = {
      facility,
      resident: role === 'regulator' ? pseudonyms[facility]! : 'anna',
      device: `wb-${facility}`,
      alert: alerts[facility as 'f1' | 'f3'].id,
      workOrder: workOrders[facility]!,
    };
    // `{id}` names an alert, a work order, a dwelling, an endpoint, a shift or a contact, by the path it is in.
    const id = op.path.startsWith('/api/v1/work-orders/')
      ? t.workOrder
      : op.path.startsWith('/api/v1/dwellings/')
        ? 'home-1'
        : op.path.startsWith('/api/v1/notifications/')
          ? '1'
          : op.path.startsWith('/api/v1/staff-shifts/')
            ? shifts[facility]!
            : op.path.includes('/contacts/')
              ? contacts[facility]!
              : t.alert;
    const params: Record<string, string> = {
      ...t,
      id,
      location: 'room-1',
      dataClass: 'vitals',
      step: 'accept',
      user: `u-${facility}`,
      tokenId: tokenIds[facility]!,
      plan: 'fire',
      drill: drills[facility]!,
    };
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]!);
    const entry = CASES[op.operationId]!;
    const query = entry.query ? `?${new URLSearchParams(entry.query(t))}` : '';
    const body = entry.body?.(t);
    const init: RequestInit = { method: op.method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    return { url: `${path}${query}`, init };
  }

  it('has a case for every operation, and every operation declares its action', () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      const declared = op.public ? 'public' : typeof op.action;
      expect({ op: op.operationId, action: declared }).toEqual({
        op: op.operationId,
        action: op.public ? 'public' : 'string',
      });
      expect(CASES[op.operationId], `no CASES entry for ${op.operationId}`).toBeDefined();
    }
    expect(Object.keys(CASES).sort()).toEqual(operations.map((op) => op.operationId).sort());
  });

  it('answers 403 for forbidden actions, 404 outside scope, and records every write in the audit log', async () => {
    // Reads first, then writes; destructive writes (discharge, retire, erase, delete) last, so reads see data.
    const destructive = /^(discharge|retire|erase|delete|unassign)/;
    const ordered = [...operations].sort(
      (a, b) =>
        Number(a.method !== 'GET') - Number(b.method !== 'GET') ||
        Number(destructive.test(a.operationId)) - Number(destructive.test(b.operationId)),
    );
    const failures: unknown[] = [];
    for (const op of ordered) {
      if (CASES[op.operationId]!.public) {
        const { url, init } = request(op, 'admin', 'f1');
        const before = await lastAuditId();
        const res = await fx.call(null, url, init);
        if (res.status !== 200) failures.push({ op: op.operationId, role: 'none', status: res.status });
        else if ((await lastAuditId()) === before) failures.push({ op: op.operationId, missing: 'audit entry' });
        continue;
      }
      for (const r of roles) {
        const allowed = PERMISSIONS[r.role].includes(op.action);
        const scoped = CASES[op.operationId]!.scoped !== false;
        for (const [scope, facility] of [
          ['own', r.own],
          ['other', scoped ? r.other : null],
        ] as const) {
          if (facility === null) continue;
          const { url, init } = request(op, r.role, facility);
          const token = CASES[op.operationId]!.freshToken ? await freshToken(r.role, facility) : r.token();
          const actor = (await fx.call(token, '/api/v1/me')).body.actor as string;
          const before = await lastAuditId();
          const res = await fx.call(token, url, init);
          const code = res.body?.error?.code;
          const ok = !allowed
            ? res.status === 403
            : scope === 'other'
              ? res.status === 404
              : // Own scope: allowed. A write may meet the state an earlier write left (409, or 404 once discharged or
                // retired); commands time out (503) as no alerts service runs here. Reads must succeed.
                op.method === 'GET'
                ? res.status === 200
                : res.status < 500 || code === 'VIGIL_ERR_API_ALERTS_TIMEOUT';
          if (!ok) failures.push({ op: op.operationId, role: r.name, scope, status: res.status, code });
          const wrote = op.method !== 'GET' && (res.status < 300 || code === 'VIGIL_ERR_API_ALERTS_TIMEOUT');
          if (wrote && !(await auditedSince(before, actor))) {
            failures.push({ op: op.operationId, role: r.name, missing: 'audit entry' });
          }
          if (!wrote && op.method !== 'GET' && (await lastAuditId()) !== before) {
            failures.push({ op: op.operationId, role: r.name, scope, unexpected: 'audit entry of a refused write' });
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  async function lastAuditId(): Promise<number> {
    const { rows } = await fx.db.pool.query<{ id: number | null }>('SELECT max(id)::int AS id FROM audit_log');
    return rows[0]!.id ?? 0;
  }

  /** A new token of the role in the facility (the region of f1 and f3 for regulators), like the fixture's. */
  async function freshToken(role: TokenRole, facility: string): Promise<string> {
    const { rows } = await fx.db.pool.query<{ region: string }>('SELECT region FROM facilities WHERE id = $1', [
      facility,
    ]);
    const scope = role === 'admin' ? {} : role === 'regulator' ? { region: rows[0]!.region } : { facility };
    return (await createToken(fx.db.pool, { role, ...scope, label: `fresh ${role}` })).token;
  }

  /** True when an entry newer than `id` names the actor (who the request's token speaks for). */
  async function auditedSince(id: number, me: string): Promise<boolean> {
    const { rows } = await fx.db.pool.query('SELECT 1 FROM audit_log WHERE id > $1 AND actor = $2', [id, me]);
    return rows.length > 0;
  }

  it('lets a caregiver list the alerts assigned to them', async () => {
    const alert = makeAlert({ facility: 'f1', subject: 'resident:anna:assigned' });
    await fx.emit('raised', alert, { publish: false });
    const assigned = await fx.call(fx.tokens.officer, `/api/v1/alerts/${alert.id}/assignment`, {
      method: 'PUT',
      body: JSON.stringify({ assignee: 'carla' }),
    });
    expect(assigned).toMatchObject({ status: 200, body: { alertId: alert.id, assignee: 'carla', assignedBy: 'otto' } });
    const carla = (await createToken(fx.db.pool, { role: 'caregiver', facility: 'f1', user: 'carla' })).token;
    const mine = await fx.call(carla, '/api/v1/alerts?assignee=me');
    expect(mine.body.alerts.map((a: { id: string }) => a.id)).toContain(alert.id);
    expect(mine.body.alerts.every((a: { assignee: string }) => a.assignee === 'carla')).toBe(true);
    const noUser = await fx.call(fx.tokens.caregiver, '/api/v1/alerts?assignee=me');
    expect(noUser.status).toBe(400);
    // A caregiver of another facility cannot be assigned.
    const foreign = await fx.call(fx.tokens.admin, `/api/v1/alerts/${alert.id}/assignment`, {
      method: 'PUT',
      body: JSON.stringify({ assignee: 'cara3' }),
    });
    expect(foreign.status).toBe(404);
  });

  it('audits a person’s work-order steps and notification settings, and not a refused step', async () => {
    const carla = (await createToken(fx.db.pool, { role: 'caregiver', facility: 'f1', user: 'carla' })).token;
    const before = await lastAuditId();
    const accepted = await fx.call(carla, `/api/v1/work-orders/${workOrders.f1}/accept`, {
      method: 'POST',
      body: '{}',
    });
    expect(accepted).toMatchObject({ status: 200, body: { status: 'accepted', assignee: 'carla' } });
    const prefs = await fx.call(carla, '/api/v1/notifications/preferences', {
      method: 'PUT',
      body: JSON.stringify({ preferences: [{ channel: 'email', priorities: ['critical'] }], quietHours: null }),
    });
    expect(prefs.status).toBe(200);
    const { rows } = await fx.db.pool.query(
      'SELECT actor, action, target, facility_id AS facility FROM audit_log WHERE id > $1 ORDER BY id',
      [before],
    );
    expect(rows).toEqual([
      { actor: 'carla', action: 'work-order.accept', target: `work-order:${workOrders.f1}`, facility: 'f1' },
      { actor: 'carla', action: 'notification.preferences.update', target: 'user:carla', facility: 'f1' },
    ]);
    const last = await lastAuditId();
    const again = await fx.call(carla, `/api/v1/work-orders/${workOrders.f1}/accept`, { method: 'POST', body: '{}' });
    expect(again.body.error.code).toBe('VIGIL_ERR_API_WORK_ORDER_CONFLICT');
    expect(await lastAuditId()).toBe(last);
  });
});
