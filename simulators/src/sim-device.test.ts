import { describe, expect, it } from 'vitest';
import {
  DEVICE_KINDS,
  MAX_PAYLOAD_BYTES,
  parseDeviceMessage,
  type DeviceKind,
  type ParsedMessage,
  DEFAULT_NIGHT_WINDOW,
  inClockWindow,
} from '@vigil/protocol';
import { readingIntervalMs } from './models/index.js';
import { SimDevice } from './sim-device.js';

const START = Date.parse('2026-11-23T09:00:00Z');
const TZ = 'Europe/Berlin';

/** A device's messages over some hours of periodic ticks, each checked against the protocol contract. */
function simulate(kind: DeviceKind, batchSamples = 1, hours = 26) {
  const device = new SimDevice(
    { id: `dev-${kind}`, facility: 'f', kind, secret: 's', resident: 'r1', timezone: TZ },
    { ts: START, seed: 'test', batchSamples },
  );
  const interval = readingIntervalMs(kind);
  const out: { ts: number; parsed: ParsedMessage; bytes: number }[] = [];
  for (let ts = START; ts < START + hours * 3600_000; ts += interval) {
    for (const message of device.tick(ts, interval)) {
      const result = parseDeviceMessage(message.kind, kind, message.payload, ts);
      if (!result.ok) throw new Error(`${kind}: ${result.reason} in ${message.payload}`);
      out.push({ ts, parsed: result.message, bytes: Buffer.byteLength(message.payload) });
    }
  }
  return out;
}

const seqOf = (m: ParsedMessage) =>
  m.kind === 'reading' ? m.seq : m.kind === 'event' ? m.event.seq : (m.status.seq as number);
const tsOf = (m: ParsedMessage) =>
  m.kind === 'reading' ? m.samples.map((s) => s.ts) : [m.kind === 'event' ? m.event.ts : (m.status.ts as number)];
const samples = (out: ReturnType<typeof simulate>) =>
  out.flatMap(({ parsed }) => (parsed.kind === 'reading' ? parsed.samples : []));
const events = (out: ReturnType<typeof simulate>) =>
  out.flatMap(({ parsed }) => (parsed.kind === 'event' ? [parsed.event] : []));

describe('SimDevice', () => {
  it.each(DEVICE_KINDS)('%s: every message over a day passes the contract; seq +1 and ts increase', (kind) => {
    const out = simulate(kind);
    expect(out.length).toBeGreaterThan(20);
    expect(out.map(({ parsed }) => seqOf(parsed))).toEqual(out.map((_, i) => i));
    const times = out.flatMap(({ parsed }) => tsOf(parsed));
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
    expect(out.filter(({ parsed }) => parsed.kind === 'status').length).toBeGreaterThanOrEqual(26);
  });

  it('wristband: plausible vitals that trip no rule, occasional blood pressure, a draining battery', () => {
    const rows = samples(simulate('wristband'));
    for (const s of rows) {
      expect(s.hr).toBeGreaterThanOrEqual(45);
      expect(s.hr).toBeLessThanOrEqual(110);
      expect(s.spo2).toBeGreaterThanOrEqual(92);
      expect(s.worn).toBe(true);
    }
    expect(rows.some((s) => s.sbp !== undefined && s.dbp !== undefined)).toBe(true);
    expect(rows[0]!.battery as number).toBeGreaterThan(rows.at(-1)!.battery as number);
  });

  it('wristband batches: 64 samples per message fit the 8 KiB payload limit', () => {
    const out = simulate('wristband', 64, 3).filter(({ parsed }) => parsed.kind === 'reading');
    expect(out.every(({ parsed }) => parsed.kind === 'reading' && parsed.samples.length === 64)).toBe(true);
    expect(Math.max(...out.map((o) => o.bytes))).toBeLessThan(MAX_PAYLOAD_BYTES);
  });

  it('bed mat: in bed all night with sleep stages; gets up and lies down only outside 22:00–06:00', () => {
    const out = simulate('bedmat');
    const rows = samples(out);
    const night = rows.filter((s) => inClockWindow(s.ts, TZ, DEFAULT_NIGHT_WINDOW));
    expect(night.length).toBeGreaterThan(100);
    expect(night.every((s) => s.occupied === true)).toBe(true);
    expect(new Set(night.map((s) => s.sleep))).toEqual(new Set(['light', 'deep', 'rem', 'awake']));
    // Occupied always comes with a pulse and breathing (no false "no vitals in bed").
    for (const s of rows.filter((r) => r.occupied)) {
      expect(s.hr).toBeGreaterThan(40);
      expect(s.rr).toBeGreaterThanOrEqual(8);
      expect(s.rr).toBeLessThanOrEqual(30);
    }
    const moves = events(out);
    expect(moves.map((e) => e.type)).toEqual(expect.arrayContaining(['bed_enter', 'bed_exit']));
    expect(moves.every((e) => !inClockWindow(e.ts, TZ, DEFAULT_NIGHT_WINDOW))).toBe(true);
  });

  it('hazard detectors: baselines with noise, well below every alarm threshold', () => {
    const smoke = samples(simulate('smoke'));
    const gas = samples(simulate('gas'));
    const power = samples(simulate('electrical'));
    expect(smoke.every((s) => (s.smoke as number) < 10 && (s.temp as number) < 57)).toBe(true);
    expect(new Set(smoke.map((s) => s.temp)).size).toBeGreaterThan(5);
    expect(gas.every((s) => (s.co as number) < 50 && (s.lel as number) < 10)).toBe(true);
    expect(power.every((s) => (s.residualMa as number) < 300 && (s.cableTemp as number) < 70)).toBe(true);
  });

  it('the same seed replays the same readings', () => {
    expect(simulate('wristband', 4, 2)).toEqual(simulate('wristband', 4, 2));
  });
});
