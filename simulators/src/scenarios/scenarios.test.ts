import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEVICE_KINDS, parseDeviceMessage, type DeviceKind, type ParsedMessage } from '@vigil/protocol';
import { startFleet } from '../fleet.js';
import { MAX_LEAD_MS } from '../player.js';
import { recordingLinks, type RecordedMessage } from '../recording-link.js';
import { SCENARIOS } from './index.js';

const START = Date.parse('2026-11-23T10:00:00Z');
const MINUTE = 60_000;

type Checked = RecordedMessage & { parsed: ParsedMessage };
type Row = Record<string, unknown> & { ts: number };

async function fleetOf(kind: DeviceKind, speed = 1) {
  const recorder = recordingLinks();
  const fleet = await startFleet({
    mqttUrl: 'mqtt://unused',
    devices: [{ id: `d-${kind}`, facility: 'f', kind, secret: 's', resident: 'r1', timezone: 'Europe/Berlin' }],
    links: recorder.factory,
    speed,
    seed: 'scenarios',
  });
  return { fleet, messages: recorder.messages };
}

/** Plays a scenario on a one-device fleet; returns what it published, each message checked against the contract. */
async function play(kind: DeviceKind, name: string, speed = 1) {
  const { fleet, messages } = await fleetOf(kind, speed);
  await vi.advanceTimersByTimeAsync(10_000); // first periodic reading and status
  const from = messages.length;
  const injectedAt = Date.now();
  let done = false;
  const running = fleet.inject(`d-${kind}`, name).then((run) => {
    done = true;
    return { run, tookMs: Date.now() - injectedAt };
  });
  // At least 20 minutes; the long scenarios (13 h without motion) until they are over.
  await vi.advanceTimersByTimeAsync(20 * MINUTE);
  while (!done) await vi.advanceTimersByTimeAsync(20 * MINUTE);
  const { run, tookMs } = await running;
  await fleet.close();
  const checked: Checked[] = messages.map((m) => {
    const result = parseDeviceMessage(m.kind, kind, m.payload, m.at);
    if (!result.ok) throw new Error(`${name} on ${kind}: ${result.reason} in ${m.payload}`);
    return { ...m, parsed: result.message };
  });
  return { run, tookMs, all: checked, during: checked.slice(from) };
}

const rows = (ms: Checked[]): Row[] =>
  ms.flatMap((m) => (m.parsed.kind === 'reading' ? (m.parsed.samples as Row[]) : []));
const events = (ms: Checked[]) => ms.flatMap((m) => (m.parsed.kind === 'event' ? [m.parsed.event] : []));
const statuses = (ms: Checked[]) => ms.flatMap((m) => (m.parsed.kind === 'status' ? [m.parsed.status] : []));
/** Device time over which consecutive readings all meet `holds` (the longest such run). */
function sustainedMs(readings: Row[], holds: (r: Row) => boolean): number {
  let best = 0;
  let since: number | undefined;
  for (const r of readings) {
    if (!holds(r)) since = undefined;
    else best = Math.max(best, r.ts - (since ??= r.ts));
  }
  return best;
}

/** What each scenario must produce for the rule it exercises (docs/rules.md "Rules"). */
const EXPECT: Record<string, (during: Checked[], all: Checked[]) => void> = {
  fall: (d) => expect(events(d)[0]).toMatchObject({ type: 'fall', confidence: expect.any(Number) }),
  sos: (d) => expect(events(d).map((e) => e.type)).toEqual(['sos']),
  'sos-cancel': (d) => {
    const [sos, cancel] = events(d);
    expect([sos?.type, cancel?.type]).toEqual(['sos', 'cancel']);
    expect(cancel!.ts - sos!.ts).toBeLessThan(30_000);
  },
  tachycardia: (d) => expect(sustainedMs(rows(d), (r) => (r.hr as number) > 130)).toBeGreaterThanOrEqual(60_000),
  'low-spo2': (d) => expect(sustainedMs(rows(d), (r) => (r.spo2 as number) < 90)).toBeGreaterThanOrEqual(60_000),
  'bed-exit': (d) => {
    const [exit, enter] = events(d);
    expect([exit?.type, enter?.type]).toEqual(['bed_exit', 'bed_enter']);
    expect(enter!.ts - exit!.ts).toBeGreaterThan(10 * MINUTE);
    expect(sustainedMs(rows(d), (r) => r.occupied === false)).toBeGreaterThan(10 * MINUTE - MINUTE);
  },
  // (By day the door's own traffic may follow the scenario.)
  wandering: (d) =>
    expect(
      events(d)
        .slice(0, 2)
        .map((e) => e.type),
    ).toEqual(['open', 'close']),
  fire: (d) => {
    expect(events(d).map((e) => e.type)).toEqual(['alarm']);
    const r = rows(d);
    expect(Math.max(...r.map((x) => x.temp as number))).toBeGreaterThanOrEqual(57);
    expect(Math.max(...r.map((x) => x.smoke as number))).toBeGreaterThanOrEqual(10);
    const perMinute = ((r[7]!.temp as number) - (r[1]!.temp as number)) / ((r[7]!.ts - r[1]!.ts) / MINUTE);
    expect(perMinute).toBeGreaterThanOrEqual(8);
  },
  'gas-leak': (d) => {
    expect(events(d).map((e) => e.type)).toEqual(['alarm']);
    expect(Math.max(...rows(d).map((x) => x.co as number))).toBeGreaterThanOrEqual(200);
  },
  electrical: (d) => {
    expect(events(d).map((e) => e.type)).toEqual(['alarm']);
    expect(Math.max(...rows(d).map((x) => x.residualMa as number))).toBeGreaterThanOrEqual(300);
    expect(Math.max(...rows(d).map((x) => x.cableTemp as number))).toBeGreaterThanOrEqual(70);
  },
  'low-battery': (d, all) => {
    expect(statuses(d)[0]?.battery).toBeLessThan(15);
    // It stays low: the last reading of the run still reports it.
    expect(rows(all).at(-1)?.battery ?? 12).toBeLessThan(15);
  },
  offline: (d) => {
    const will = d.findIndex((m) => m.will);
    expect(d[will]?.payload).toBe('{"online":false}');
    expect(d.slice(will + 1).some((m) => m.parsed.kind === 'status' && m.parsed.status.online)).toBe(true);
  },
  'band-removed': (d, all) => {
    expect(events(d).map((e) => e.type)).toEqual(['removed']);
    // Later periodic readings keep reporting the band off the wrist.
    expect(
      rows(all)
        .slice(-3)
        .every((r) => r.worn === false && r.hr === undefined),
    ).toBe(true);
  },
  'spo2-artefact': (d) => {
    const artefact = sustainedMs(rows(d), (r) => (r.spo2 as number) < 85);
    expect(rows(d).some((r) => (r.spo2 as number) < 85)).toBe(true);
    expect(artefact).toBeLessThanOrEqual(10_000);
    expect(rows(d).at(-1)!.spo2).toBeGreaterThanOrEqual(90);
  },
  bradycardia: (d) => expect(sustainedMs(rows(d), (r) => (r.hr as number) < 40)).toBeGreaterThanOrEqual(60_000),
  'bp-spot': (d) => expect(rows(d).filter((r) => (r.sbp as number) >= 180)).toHaveLength(1),
  'abnormal-breathing': (d) =>
    expect(sustainedMs(rows(d), (r) => (r.rr as number) > 30)).toBeGreaterThanOrEqual(60_000),
  'no-vitals': (d) =>
    expect(sustainedMs(rows(d), (r) => r.occupied === true && r.hr === 0 && r.rr === 0)).toBeGreaterThanOrEqual(20_000),
  restless: (d) => {
    const r = rows(d).slice(0, 121);
    expect(r.some((x) => x.occupied === false)).toBe(true);
    expect(r.filter((x) => x.occupied === true).length).toBeGreaterThan(r.length / 2);
    expect(sustainedMs(r, (x) => x.occupied === false)).toBeLessThan(30_000);
  },
  cooking: (d) => {
    const r = rows(d);
    expect(Math.max(...r.map((x) => x.temp as number))).toBeGreaterThan(30);
    expect(Math.max(...r.map((x) => x.temp as number))).toBeLessThan(57);
    expect(Math.max(...r.map((x) => x.smoke as number))).toBeLessThan(10);
  },
  'self-test': (d) => expect(events(d).map((e) => e.type)).toEqual(['test', 'clear']),
  leakage: (d) => {
    const residual = rows(d).flatMap((x) => (x.residualMa === undefined ? [] : [x.residualMa as number]));
    expect(Math.min(...residual)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...residual)).toBeLessThan(300);
  },
  'lel-leak': (d) => {
    expect(events(d).map((e) => e.type)).toEqual(['alarm']);
    expect(Math.max(...rows(d).map((x) => x.lel as number))).toBeGreaterThanOrEqual(25);
  },
  'network-blip': (d) => {
    expect(d.some((m) => m.will)).toBe(false);
    expect(d[0]!.parsed).toMatchObject({ kind: 'status', status: { online: true } });
  },
  'band-off': (d, all) => {
    expect(events(d)).toEqual([]);
    expect(
      rows(all)
        .slice(-3)
        .every((r) => r.worn === false),
    ).toBe(true);
  },
  'no-motion': (d) => expect(sustainedMs(rows(d), (r) => r.motion === 0)).toBeGreaterThanOrEqual(12 * 60 * MINUTE),
};

const cases = Object.values(SCENARIOS).flatMap((s) => s.kinds.map((kind) => [s.name, kind] as const));

describe('scenarios', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('every scenario has its expectations here', () => {
    expect(Object.keys(EXPECT).sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  it.each(cases)('%s on a %s: every message passes the contract and trips the rule', async (name, kind) => {
    const { run, all, during } = await play(kind, name);
    expect(run).toMatchObject({ scenario: name, cancelled: false, speed: 1 });
    expect(during.length).toBeGreaterThan(0);
    EXPECT[name]!(during, all);
    // Device time never goes backwards and seq counts every message.
    const times = rows(during).map((r) => r.ts);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
  });

  it.each([
    ['tachycardia', 'wristband'],
    ['bed-exit', 'bedmat'],
  ] as const)('%s time-lapsed ×10: same timeline in device time, never more than 4 min ahead', async (name, kind) => {
    const { run, tookMs, during } = await play(kind, name, 10);
    EXPECT[name]!(during, during);
    expect(run.speed).toBeGreaterThan(1);
    expect(run.speed).toBeLessThanOrEqual(10);
    expect(tookMs).toBeLessThan((run.endTs - run.startTs) / 1.5);
    for (const m of during) {
      const ts =
        m.parsed.kind === 'reading' ? m.parsed.samples[0]!.ts : m.parsed.kind === 'event' ? m.parsed.event.ts : m.at;
      expect(ts - m.at).toBeLessThanOrEqual(MAX_LEAD_MS);
    }
  });

  it('refuses an unknown device, an unknown scenario and a scenario for another kind', async () => {
    const { fleet } = await fleetOf('wristband');
    await expect(fleet.inject('nope', 'fall')).rejects.toMatchObject({ code: 'VIGIL_ERR_SIM_UNKNOWN_DEVICE' });
    await expect(fleet.inject('d-wristband', 'nope')).rejects.toMatchObject({ code: 'VIGIL_ERR_SIM_UNKNOWN_SCENARIO' });
    await expect(fleet.inject('d-wristband', 'fire')).rejects.toMatchObject({ code: 'VIGIL_ERR_SIM_SCENARIO_KIND' });
    await fleet.close();
  });

  it('a second scenario on the same device replaces the first', async () => {
    const { fleet } = await fleetOf('wristband');
    const first = fleet.inject('d-wristband', 'tachycardia');
    await vi.advanceTimersByTimeAsync(10_000);
    const second = fleet.inject('d-wristband', 'fall');
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    expect(await first).toMatchObject({ cancelled: true });
    expect(await second).toMatchObject({ cancelled: false, scenario: 'fall' });
    expect(fleet.stats().scenariosRunning).toBe(0);
    await fleet.close();
  });

  it('covers every device kind with at least one scenario', () => {
    const covered = new Set(cases.filter(([name]) => name !== 'offline').map(([, kind]) => kind));
    expect([...covered].sort()).toEqual([...DEVICE_KINDS].sort());
  });
});
