import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import { createPlan, recordDrillRun, scheduleDrill, setPlanFiling } from '@vigil/store';
import { connectDevice, seedFacility, sendCommand, startTestAlerts, type TestDevice } from '../alerts/harness.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import { freePort, spawnVigil, waitFor } from '../helpers/processes.js';
import { CuttableLink, startRegionBroker } from './region-broker.js';

const FACILITIES = ['fa', 'fb'] as const;
type Facility = (typeof FACILITIES)[number];
const SECRETS = { fa: 'fa-secret', fb: 'fb-secret', 'vigil-hub': 'hub-secret' };
const TOKEN = 'regulator-token-0123456789';
const RESIDENT_NAME = 'Margarethe Exampleperson';
const ROOMS = ['room-1', 'kitchen-1', 'exit-1', 'board-1', 'dwelling-1'];

/** The parts of the region API's answers the test reads. */
interface RegionAnswer {
  findings: Array<{ facility: string; kind: string; message: string }>;
  alerts: Array<{ status: string; acknowledgeS: number; resolveS: number }>;
  facilities: Array<{ facility: string; coverageScore: number | null }>;
  plans: Array<{
    plan: string;
    filingStatus: string;
    reviewOverdue: boolean;
    drillOverdue: boolean;
    missedDrills: string[];
    overdue: boolean;
    drills: Array<{ ranAt: string | null; participants: number }>;
  }>;
}

/** One facility: its database, gateway (uplink through a cuttable link), alerts service and devices. */
interface Site {
  db: TestDatabase;
  gateway: Awaited<ReturnType<typeof startTestGateway>>;
  alerts: AlertsHandle;
  link: CuttableLink;
  buttons: TestDevice[];
  band: TestDevice;
}

describe('regional hub: two facilities, one Mosquitto, two workers on a shared subscription', () => {
  let broker: Awaited<ReturnType<typeof startRegionBroker>>;
  let hubDb: TestDatabase;
  const sites = {} as Record<Facility, Site>;
  const workers = new Map<string, { child: ChildProcess; output: () => string; port: number }>();

  async function startWorker(id: string): Promise<void> {
    const port = await freePort();
    const worker = spawnVigil(['hub'], {
      DATABASE_URL: hubDb.url,
      VIGIL_HUB_MQTT_URL: broker.tlsUrl,
      VIGIL_HUB_MQTT_USERNAME: 'vigil-hub',
      VIGIL_HUB_MQTT_PASSWORD: SECRETS['vigil-hub'],
      VIGIL_HUB_CA_FILE: broker.caFile,
      VIGIL_HUB_SHARE_GROUP: 'region-north',
      VIGIL_HUB_WORKER_ID: id,
      VIGIL_HUB_HTTP_PORT: String(port),
      VIGIL_HUB_TOKEN: TOKEN,
      VIGIL_LOG_LEVEL: 'warn',
    });
    workers.set(id, { ...worker, port });
    await waitFor(
      `hub worker ${id} serving`,
      async () => (await regionApi('/region/v1/facilities', port).catch(() => null)) !== null,
      60_000,
    );
  }

  async function regionApi(route: string, port = workers.values().next().value!.port): Promise<RegionAnswer> {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!res.ok) throw new Error(`${route}: ${res.status}`);
    return (await res.json()) as RegionAnswer;
  }

  /**
   * Every button raises sos; a caregiver is then at each resident (presence, which acknowledges) and resolves it:
   * 15 lifecycle events per round.
   */
  async function round(facility: Facility): Promise<void> {
    const site = sites[facility];
    for (const button of site.buttons) await button.publish('event', { ts: Date.now(), type: 'sos' });
    const open = await waitFor(`${facility}: ${ROOMS.length} open sos alerts`, async () => {
      const { rows } = await site.db.pool.query<{ id: string }>(
        "SELECT id FROM alerts WHERE rule = 'sos' AND status = 'open' AND resident_id IS NULL",
      );
      return rows.length === ROOMS.length ? rows : null;
    });
    for (const command of ['presence', 'resolve'] as const)
      for (const { id } of open) {
        const args = command === 'resolve' ? { outcome: 'assisted' } : {};
        await sendCommand(site.db.pool, { facility, command, actor: 'user:kim', alertId: id, args });
      }
    await waitFor(`${facility}: round resolved`, async () => {
      const { rows } = await site.db.pool.query(
        "SELECT 1 FROM alerts WHERE status <> 'resolved' AND resident_id IS NULL",
      );
      return rows.length === 0;
    });
  }

  const facilityEvents = async (facility: Facility) =>
    (await sites[facility].db.pool.query<{ id: string }>('SELECT id FROM alert_events ORDER BY id')).rows.map((r) =>
      Number(r.id),
    );
  const hubEvents = async (facility: Facility) =>
    (
      await hubDb.pool.query<{ event_id: string }>(
        'SELECT event_id FROM region_alert_events WHERE facility_id = $1 ORDER BY event_id',
        [facility],
      )
    ).rows.map((r) => Number(r.event_id));
  const caughtUp = (facility: Facility) =>
    waitFor(
      `the hub has every event of ${facility}`,
      async () => {
        const [want, got] = await Promise.all([facilityEvents(facility), hubEvents(facility)]);
        return want.length > 0 && got.length === want.length ? { want, got } : null;
      },
      60_000,
    );

  beforeAll(async () => {
    broker = await startRegionBroker(SECRETS, 'vigil-hub');
    hubDb = await createTestDatabase();
    for (const facility of FACILITIES) {
      const db = await createTestDatabase();
      await seedFacility(db.pool, facility);
      await db.pool.query('UPDATE residents SET name = $1', [RESIDENT_NAME]);
      const link = await CuttableLink.open(broker.port);
      const gateway = await startTestGateway(db.url, {
        upstream: {
          url: link.url,
          username: facility,
          password: SECRETS[facility],
          clientId: `gw-${facility}`,
          reconnectMs: 100,
          caFile: broker.caFile,
        },
        region: { facility, summaryIntervalS: 1, shareRaw: false },
      });
      const alerts = await startTestAlerts(db.pool, db.url, gateway.url);
      const buttons = [];
      for (const [i, location] of ROOMS.entries())
        buttons.push(
          await connectDevice(db.pool, gateway.url, { facility, id: `${facility}-btn-${i}`, kind: 'button', location }),
        );
      const band = await connectDevice(db.pool, gateway.url, {
        facility,
        id: `${facility}-wb`,
        kind: 'wristband',
        resident: 'r1',
      });
      sites[facility] = { db, gateway, alerts, link, buttons, band };
    }
    await startWorker('w1');
    await startWorker('w2');
  }, 180_000);

  afterAll(async () => {
    for (const { child } of workers.values()) child.kill('SIGTERM');
    for (const site of Object.values(sites)) {
      for (const device of [...site.buttons, site.band]) await device.close();
      await site.alerts.close();
      await site.gateway.close();
      await site.link.cut();
      await site.db.drop();
    }
    await hubDb?.drop();
    await broker?.destroy();
  });

  it('receives every facility event exactly once although a worker is killed mid-stream', async () => {
    // The resident's wristband: vital signs (which must stay home) and an sos (its alert carries the resident).
    for (const facility of FACILITIES) {
      await sites[facility].band.publish('reading', { ts: Date.now(), hr: 71, spo2: 93 });
      await sites[facility].band.publish('event', { ts: Date.now(), type: 'sos' });
    }
    await Promise.all(FACILITIES.map((f) => round(f)));
    const first = (await hubEvents('fa')).length;
    const second = Promise.all(FACILITIES.map((f) => round(f)));
    // Killed (no PUBACKs, no DISCONNECT) once the second round is flowing into the hub.
    await waitFor('the second round reaching the hub', async () => (await hubEvents('fa')).length > first, 30_000);
    workers.get('w1')!.child.kill('SIGKILL');
    await second;
    await startWorker('w1');
    for (const facility of FACILITIES) {
      const { want, got } = await caughtUp(facility);
      expect(got).toEqual(want);
    }
  }, 180_000);

  it('flags a facility whose uplink is cut, then catches up when it is restored', async () => {
    const site = sites.fa;
    const before = (await facilityEvents('fa')).length;
    // Beside the hub, an observer of fa's alert events at the broker: the order in which the backlog arrives.
    const observer = await mqtt.connectAsync(broker.tlsUrl, {
      protocolVersion: 5,
      username: 'vigil-hub',
      password: SECRETS['vigil-hub'],
      clientId: 'order-observer',
      ca: await readFile(broker.caFile),
    });
    const observed: number[] = [];
    observer.on('message', (_topic, payload) =>
      observed.push((JSON.parse(payload.toString()) as { eventId: number }).eventId),
    );
    await observer.subscribeAsync('vigil/region/v1/fa/alert-event', { qos: 1 });
    expect((await regionApi('/region/v1/facilities')).findings).toEqual([]);
    await site.link.cut();
    await round('fa');
    const { findings } = await waitFor('fa flagged silent', async () => {
      const body = await regionApi('/region/v1/facilities');
      return body.findings.some((f) => f.facility === 'fa') ? body : null;
    });
    expect(findings).toEqual([
      expect.objectContaining({
        facility: 'fa',
        kind: 'silent',
        message: expect.stringMatching(/^Facility fa: no data since \d\d:\d\d$/),
      }),
    ]);
    expect((await hubEvents('fa')).length).toBe(before);

    await site.link.restore();
    const { want, got } = await caughtUp('fa');
    expect(got).toEqual(want);
    await waitFor('the backlog at the observer', () => observed.length >= want.length - before);
    await observer.endAsync();
    const firsts = observed.filter((id, i) => observed.indexOf(id) === i);
    expect(firsts).toEqual(want.slice(before));
    await waitFor('fa no longer silent', async () => {
      const body = await regionApi('/region/v1/facilities');
      return body.findings.length === 0 ? body : null;
    });
    // Every alert's state at the hub is that of its newest event, whatever order the events were written in.
    const { rows } = await hubDb.pool.query(
      "SELECT status FROM region_alerts WHERE facility_id = 'fa' AND resident IS NULL",
    );
    expect(rows.length).toBe(3 * ROOMS.length);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['resolved']));
    const { alerts } = await regionApi('/region/v1/alerts?facility=fa');
    const resolved = alerts.filter((a) => a.status === 'resolved');
    expect(resolved.length).toBe(3 * ROOMS.length);
    for (const a of resolved) expect(a.resolveS).toBeGreaterThanOrEqual(a.acknowledgeS);
  }, 180_000);

  it('refuses a facility account publishing under another facility', async () => {
    const client = await mqtt.connectAsync(broker.tlsUrl, {
      protocolVersion: 5,
      username: 'fa',
      password: SECRETS.fa,
      clientId: 'fa-intruder',
      ca: await readFile(broker.caFile),
    });
    const at = '2020-01-01T00:00:00.000Z';
    const summary = JSON.stringify({
      at,
      intervalS: 60,
      openAlerts: { critical: 9, high: 0, warning: 0, info: 0 },
      devicesOnline: 0,
      devicesOffline: 99,
      coverageScore: 0,
    });
    const refused = await client.publishAsync('vigil/region/v1/fb/summary', summary, { qos: 1 }).then(
      () => null,
      (err: Error) => err,
    );
    // Then one under its own prefix: once that is at the hub, the forged one would have been too.
    await client.publishAsync('vigil/region/v1/fa/summary', summary, { qos: 1 });
    await client.endAsync();
    await waitFor('own summary at the hub', async () => {
      const { rows } = await hubDb.pool.query("SELECT 1 FROM region_summaries WHERE facility_id = 'fa' AND at = $1", [
        at,
      ]);
      return rows.length === 1;
    });
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await hubDb.pool.query("SELECT 1 FROM region_summaries WHERE facility_id = 'fb' AND at = $1", [
      at,
    ]);
    expect(rows).toEqual([]);
    expect(refused?.message ?? '').toMatch(/not authori[sz]ed|0x87|135/i);
  });

  it("sends each facility's coverage score with its summary", async () => {
    const { facilities } = await regionApi('/region/v1/facilities');
    expect(facilities.map((f) => f.facility).sort()).toEqual([...FACILITIES]);
    for (const f of facilities) {
      expect(f.coverageScore).toBeTypeOf('number');
      expect(f.coverageScore).toBeGreaterThanOrEqual(0);
      expect(f.coverageScore).toBeLessThanOrEqual(1);
    }
  });

  it('sends plans and drills when they change; the hub keeps the newest and flags overdue ones', async () => {
    const db = sites.fa.db.pool;
    await createPlan(db, 'fa', { id: 'fire-1', kind: 'fire', title: `预案 ${RESIDENT_NAME}`, reviewDue: '2020-01-01' });
    await scheduleDrill(db, 'fa', 'fire-1', new Date(Date.now() - 86_400_000));
    await createPlan(db, 'fa', { id: 'gas-1', kind: 'gas', title: '燃气预案', reviewDue: '2100-01-01' });
    const drill = await scheduleDrill(db, 'fa', 'gas-1', new Date(Date.now() - 3_600_000));
    await recordDrillRun(db, 'fa', 'gas-1', drill.id, {
      commandId: 1,
      alertId: null,
      ranAt: new Date(),
      participants: [RESIDENT_NAME, '张三'],
      findings: `exit blocked near ${RESIDENT_NAME}`,
    });
    const plansOf = (body: RegionAnswer) => Object.fromEntries(body.plans.map((p) => [p.plan, p]));
    const first = await waitFor('both plans at the hub', async () => {
      const body = await regionApi('/region/v1/plans?facility=fa');
      return body.plans.length === 2 ? plansOf(body) : null;
    });
    expect(first['fire-1']).toMatchObject({
      filingStatus: 'draft',
      reviewOverdue: true,
      drillOverdue: false,
      overdue: true,
    });
    expect(first['fire-1']!.missedDrills).toHaveLength(1);
    expect(first['gas-1']).toMatchObject({
      reviewOverdue: false,
      drillOverdue: false,
      missedDrills: [],
      overdue: false,
    });
    expect(first['gas-1']!.drills).toEqual([expect.objectContaining({ participants: 2, ranAt: expect.any(String) })]);
    await setPlanFiling(db, 'fa', 'fire-1', { status: 'filed' });
    await waitFor('the new filing status at the hub', async () => {
      const body = await regionApi('/region/v1/plans?facility=fa');
      return plansOf(body)['fire-1']?.filingStatus === 'filed';
    });
    expect((await regionApi('/region/v1/plans?facility=fb')).plans).toEqual([]);
  });

  it('stores and serves no resident name, resident id or vital sign', async () => {
    const dump = (
      await hubDb.pool.query(`SELECT json_agg(t)::text AS j FROM (
         SELECT to_jsonb(e) AS row FROM region_alert_events e UNION ALL SELECT to_jsonb(a) FROM region_alerts a
         UNION ALL SELECT to_jsonb(s) FROM region_summaries s UNION ALL SELECT to_jsonb(d) FROM region_device_status d
         UNION ALL SELECT to_jsonb(f) FROM region_facilities f UNION ALL SELECT to_jsonb(p) FROM region_plans p) t`)
    ).rows[0].j as string;
    const served = JSON.stringify([
      await regionApi('/region/v1/facilities'),
      await regionApi('/region/v1/alerts'),
      await regionApi(`/region/v1/facilities/fa/coverage?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`),
      await regionApi('/region/v1/plans'),
    ]);
    for (const text of [dump, served]) {
      expect(text).not.toContain(RESIDENT_NAME);
      expect(text).not.toMatch(/"(hr|spo2|name|detail|note|actor|title)"/);
      expect(text).not.toContain('张三');
      expect(text).not.toContain('exit blocked');
      expect(text).not.toContain('"r1"');
    }
    for (const facility of FACILITIES) {
      const { rows } = await sites[facility].db.pool.query("SELECT pseudonym FROM residents WHERE id = 'r1'");
      const hub = await hubDb.pool.query(
        'SELECT DISTINCT resident FROM region_alerts WHERE facility_id = $1 AND resident IS NOT NULL',
        [facility],
      );
      expect(hub.rows).toEqual([{ resident: rows[0].pseudonym }]);
    }
  });

  it("answers 401 without the regulators' token and 404 for a facility not in the region", async () => {
    const port = workers.get('w2')!.port;
    expect((await fetch(`http://127.0.0.1:${port}/region/v1/facilities`)).status).toBe(401);
    const res = await fetch(
      `http://127.0.0.1:${port}/region/v1/facilities/nowhere/coverage?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
      },
    );
    expect(res.status).toBe(404);
  });
});
