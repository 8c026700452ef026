import { describe, expect, it } from 'vitest';
import { ALERT_RULES, parseDeviceMessage } from '@vigil/protocol';
import { SCENARIOS } from '../scenarios/index.js';
import { LIBRARY, recordScenario } from './index.js';
import { readingIntervalMs } from '../models/index.js';
import { worldDevice } from './world.js';

const of = (cls: string) => LIBRARY.filter((s) => s.class === cls);

describe('the labelled scenario library', () => {
  it('holds at least 80 uniquely named scenarios and 20 normal resident-nights', () => {
    expect(LIBRARY.length).toBeGreaterThanOrEqual(80);
    expect(new Set(LIBRARY.map((s) => s.name)).size).toBe(LIBRARY.length);
    expect(of('normal').reduce((n, s) => n + s.residentNights, 0)).toBeGreaterThanOrEqual(20);
  });

  it("covers every rule's true cases, and nuisances name what they must not raise", () => {
    const expected = new Set(of('danger').flatMap((s) => s.expect.map((e) => e.rule)));
    // Not about residents or devices: flood_control is the engine's alert about its own creation cap
    // (alerts/src/creation-cap.test.ts), notification_channel dispatch's report of a channel that stays down
    // (tests/dispatch/notifications.test.ts).
    const NOT_DEVICE_RULES = new Set(['drill', 'flood_control', 'notification_channel']);
    const dangers = ALERT_RULES.filter((r) => !NOT_DEVICE_RULES.has(r));
    expect(dangers.filter((r) => !expected.has(r))).toEqual([]);
    expect(of('danger').every((s) => s.expect.length > 0)).toBe(true);
    expect(of('nuisance').every((s) => s.expect.length === 0 && s.mustNot.length > 0)).toBe(true);
  });

  it('plays only known scenarios on devices of a kind they fit, inside the scenario', () => {
    for (const s of LIBRARY) {
      for (const e of s.episodes) {
        const scenario = SCENARIOS[e.scenario];
        expect(scenario, `${s.name}: ${e.scenario}`).toBeDefined();
        expect(s.devices, `${s.name}: ${e.device}`).toContain(e.device);
        expect(scenario!.kinds, `${s.name}: ${e.scenario} on ${e.device}`).toContain(worldDevice(e.device).kind);
        expect(e.atMs).toBeLessThan(s.durationMs);
      }
    }
  });

  it('records the same messages for the same seed, other ones for another seed', () => {
    const scenario = LIBRARY.find((s) => s.name === 'night-01')!;
    const once = recordScenario(scenario, 'a');
    expect(recordScenario(scenario, 'a')).toEqual(once);
    expect(recordScenario(scenario, 'b')).not.toEqual(once);
  });

  it('records valid messages at recorded, not neat, intervals', () => {
    for (const s of LIBRARY) {
      const records = recordScenario(s);
      for (const r of records) {
        const kind = worldDevice(r.device).kind;
        const body = r.kind === 'reading' ? r.fields : r.kind === 'event' ? r.body : { online: r.online };
        const parsed = parseDeviceMessage(r.kind, kind, JSON.stringify({ seq: 1, ts: r.ts, ...body }), r.ts);
        expect(parsed.ok, `${s.name}: ${r.device} ${JSON.stringify(body)}`).toBe(true);
      }
      expect(records.every((r, i) => i === 0 || r.ts >= records[i - 1]!.ts)).toBe(true);
    }
    const night = recordScenario(LIBRARY.find((s) => s.name === 'night-01')!);
    const mat = night.filter((r) => r.device === 'bm-1' && r.kind === 'reading').map((r) => r.ts);
    const gaps = new Set(mat.slice(1).map((ts, i) => ts - mat[i]!));
    expect(gaps.size).toBeGreaterThan(mat.length / 2);
    expect(Math.max(...gaps)).toBeGreaterThan(1.5 * readingIntervalMs('bedmat'));
  });
});
