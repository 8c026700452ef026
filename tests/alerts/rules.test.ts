import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import type { AlertPriority, AlertRule, DeviceKind } from '@vigil/protocol';
import { RULES } from '../../alerts/src/rules/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestGateway } from '../helpers/gateway.js';
import {
  berlinTime,
  connectDevice,
  listenForEvents,
  seedFacility,
  startTestAlerts,
  type EventListener,
  type TestDevice,
} from './harness.js';

// Short windows through facility settings, so every rule fires within a second or two of device time.
const SHORT = {
  vitals: { sustainMs: 2_000, maxGapMs: 2_000 },
  deterioration: { sustainMs: 2_000 },
  noVitalsInBed: { sustainMs: 2_000, maxGapMs: 2_000 },
  bedExitNight: { afterMs: 1_000, confirmMs: 1_000 },
  inactivity: { silenceMs: 1_500 },
  fire: { riseWindowMs: 2_000 },
  bandNotWorn: { afterMs: 1_500 },
  deviceOffline: { willGraceMs: 200 },
  connectivity: { windowMs: 200 },
  // Scenarios are independent: the bed exit of bed_exit_night's resident must not confirm wandering's exit door
  // (that pair is confirmation.test.ts's).
  wandering: { bedExitWithinMs: 0 },
};
const NIGHT_NOW = { ...SHORT, night: { start: berlinTime(-60), end: berlinTime(60) } };
const DAY_NOW = { ...SHORT, night: { start: berlinTime(180), end: berlinTime(240) } };

type Send = (device: TestDevice, now: number) => Promise<void>;
const readings =
  (fields: object[], stepMs = 500): Send =>
  async (device, now) => {
    const samples = fields.map((f, i) => ({ ts: now - (fields.length - 1 - i) * stepMs, ...f }));
    await device.publish('reading', { samples });
  };
const event =
  (type: string, extra: object = {}): Send =>
  (device, now) =>
    device.publish('event', { ts: now, type, ...extra });

interface Scenario {
  rule: AlertRule;
  priority: AlertPriority;
  facility: 'night' | 'day';
  device: { kind: DeviceKind; resident?: boolean; location?: string };
  send: Send;
}

const SCENARIOS: Scenario[] = [
  {
    rule: 'fall',
    priority: 'critical',
    facility: 'night',
    device: { kind: 'wristband', resident: true },
    send: event('fall', { confidence: 0.9 }),
  },
  {
    rule: 'sos',
    priority: 'critical',
    facility: 'night',
    device: { kind: 'button', resident: true, location: 'room-1' },
    send: event('sos'),
  },
  {
    rule: 'vitals',
    priority: 'high',
    facility: 'night',
    device: { kind: 'wristband', resident: true },
    send: readings(Array(6).fill({ hr: 150 })),
  },
  {
    // NEWS2 5 (SpO2 3, HR 2) with no vitals threshold crossed.
    rule: 'deterioration',
    priority: 'high',
    facility: 'night',
    device: { kind: 'wristband', resident: true },
    send: readings(Array(6).fill({ hr: 120, spo2: 91 })),
  },
  {
    rule: 'no_vitals_in_bed',
    priority: 'critical',
    facility: 'night',
    device: { kind: 'bedmat', resident: true, location: 'room-1' },
    send: readings(Array(6).fill({ occupied: true, hr: 0, rr: 0 })),
  },
  {
    rule: 'bed_exit_night',
    priority: 'high',
    facility: 'night',
    device: { kind: 'bedmat', resident: true, location: 'room-1' },
    // Out of bed, and still out 1.5 s later: past the bed-exit limit, judged on the mat's sample (the wall clock
    // would wait two expected intervals of the mat).
    send: async (device, now) => {
      await event('bed_exit')(device, now);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await readings([{ occupied: false }])(device, Date.now());
    },
  },
  {
    rule: 'wandering',
    priority: 'high',
    facility: 'night',
    device: { kind: 'door', location: 'exit-1' },
    send: event('open'),
  },
  {
    rule: 'inactivity',
    priority: 'warning',
    facility: 'day',
    device: { kind: 'pir', location: 'dwelling-1' },
    // Still there and still no motion 2 s later: the silence is known up to the sensor's newest message.
    send: async (device, now) => {
      await readings([{ motion: 0 }])(device, now);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await readings([{ motion: 0 }])(device, Date.now());
    },
  },
  {
    rule: 'fire',
    priority: 'critical',
    facility: 'night',
    device: { kind: 'smoke', location: 'room-1' },
    send: event('alarm'),
  },
  {
    rule: 'gas',
    priority: 'critical',
    facility: 'night',
    device: { kind: 'gas', location: 'kitchen-1' },
    send: readings([{ lel: 30 }]),
  },
  {
    rule: 'electrical',
    priority: 'high',
    facility: 'night',
    device: { kind: 'electrical', location: 'board-1' },
    send: readings([{ residualMa: 400 }]),
  },
  {
    rule: 'device_offline',
    priority: 'warning',
    facility: 'day',
    device: { kind: 'pir', location: 'room-1' },
    send: (device) => device.publish('status', { online: false }),
  },
  {
    rule: 'low_battery',
    priority: 'warning',
    facility: 'day',
    device: { kind: 'door', location: 'room-1' },
    send: readings([{ battery: 5 }]),
  },
  {
    rule: 'band_not_worn',
    priority: 'warning',
    facility: 'day',
    device: { kind: 'wristband', resident: true },
    send: readings(Array(5).fill({ worn: false })),
  },
];

const present = new Set(RULES.map((rule) => rule.name));
/** Rules that need more than one device to fire, tested end to end in their own file. */
const ELSEWHERE: Partial<Record<AlertRule, string>> = { connectivity: 'flood.test.ts' };

describe('every rule end to end: device → gateway → alerts → internal topic', () => {
  let db: TestDatabase;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let alerts: AlertsHandle;
  let listener: EventListener;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedFacility(db.pool, 'night', NIGHT_NOW);
    await seedFacility(db.pool, 'day', DAY_NOW);
    gateway = await startTestGateway(db.url);
    alerts = await startTestAlerts(db.pool, db.url, gateway.url);
    listener = await listenForEvents(db.pool, gateway.url);
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.close()));
    await listener?.close();
    await alerts?.close();
    await gateway?.close();
    await db?.drop();
  });

  it('covers every rule the engine runs', () => {
    expect([...present].filter((rule) => !SCENARIOS.some((s) => s.rule === rule) && !ELSEWHERE[rule])).toEqual([]);
  });

  it.each(SCENARIOS.filter((s) => present.has(s.rule)))('$rule raises a $priority alert', async (scenario) => {
    const id = `${scenario.rule.replaceAll('_', '-')}-${scenario.device.kind}`;
    // One resident per scenario, so person-subject rules never see each other's alerts.
    const resident = scenario.device.resident ? `res-${id}` : undefined;
    if (resident) {
      await db.pool.query(
        `INSERT INTO residents (facility_id, id, care_level, fall_risk, wander_risk, location_id)
         VALUES ($1, $2, 'fully-dependent', 'high', true, 'room-1')`,
        [scenario.facility, resident],
      );
    }
    const device = await connectDevice(db.pool, gateway.url, {
      facility: scenario.facility,
      id,
      kind: scenario.device.kind,
      resident,
      location: scenario.device.location,
    });
    devices.push(device);
    await scenario.send(device, Date.now());
    const raised = await listener.next(
      `${scenario.rule} raised`,
      (e) => e.event === 'raised' && e.alert.rule === scenario.rule && e.alert.device === id,
    );
    expect(raised.alert).toMatchObject({
      facility: scenario.facility,
      priority: scenario.priority,
      status: 'open',
      drill: false,
    });
  });

  it.skipIf(!present.has('sos'))('a cancelled SOS is downgraded, not re-raised', async () => {
    const sos = listener.events.find((e) => e.event === 'raised' && e.alert.rule === 'sos')!;
    const button = devices.find((d) => d.kind === 'button')!;
    await button.publish('event', { ts: Date.now(), type: 'cancel' });
    const updated = await listener.next('sos downgraded', (e) => e.event === 'updated' && e.alert.id === sos.alert.id);
    expect(updated.alert).toMatchObject({ priority: 'high', status: 'open' });
  });

  it.skipIf(!present.has('gas'))(
    'a high gas alert nobody acknowledged clears itself when the air is clean again',
    async () => {
      const device = await connectDevice(db.pool, gateway.url, {
        facility: 'day',
        id: 'gas-2',
        kind: 'gas',
        location: 'kitchen-1',
      });
      devices.push(device);
      await device.publish('reading', { ts: Date.now(), lel: 12 });
      const raised = await listener.next(
        'gas high',
        (e) => e.event === 'raised' && e.alert.facility === 'day' && e.alert.rule === 'gas',
      );
      expect(raised.alert.priority).toBe('high');
      await device.publish('reading', { ts: Date.now() + 1, lel: 0 });
      const cleared = await listener.next(
        'gas cleared',
        (e) => e.event === 'auto_cleared' && e.alert.id === raised.alert.id,
      );
      expect(cleared.alert).toMatchObject({ status: 'resolved', outcome: 'auto_cleared' });
    },
  );
});
