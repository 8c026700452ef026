import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@vigil/core';
import { startFleet } from './fleet.js';
import { recordingLinks } from './recording-link.js';
import { startScenarioRotation } from './scenario-rotation.js';
import { SCENARIOS } from './scenarios/index.js';
import type { DeviceCredentials } from './sim-device.js';

const START = Date.parse('2026-11-23T10:00:00Z');
const MINUTE = 60_000;
const KINDS = ['wristband', 'bedmat', 'button', 'smoke', 'gas', 'electrical', 'door', 'pir'] as const;
const devices: DeviceCredentials[] = KINDS.map((kind) => ({ id: `f-${kind}`, facility: 'f', kind, secret: 's' }));

/** The JSON log lines a logger wrote. */
function logLines() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination: stream, env: {} }), lines };
}

describe('scenario rotation', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('starts a library scenario each interval on a device it fits that plays none, and logs it without readings', async () => {
    const { logger, lines } = logLines();
    const recorder = recordingLinks();
    const fleet = await startFleet({ mqttUrl: 'mqtt://unused', devices, links: recorder.factory, logger });
    const rotation = startScenarioRotation({ fleet, everyMs: 2 * MINUTE, firstAfterMs: 1000, logger });
    await vi.advanceTimersByTimeAsync(40 * MINUTE);
    await rotation.close();
    await fleet.close();

    const starts = lines.filter((l) => l.msg === 'scenario starts');
    expect(starts.length).toBeGreaterThanOrEqual(10);
    expect(new Set(starts.map((s) => s.scenario)).size).toBeGreaterThan(3);
    for (const start of starts) {
      expect(start).toMatchObject({ level: 30, origin: 'demo' });
      const device = devices.find((d) => d.id === start.deviceId)!;
      expect(SCENARIOS[start.scenario as string]!.kinds).toContain(device.kind);
    }
    // Never a second scenario on a device whose first has not ended (it would cut the first short).
    for (const { id } of devices) {
      const sequence = lines.filter((l) => l.deviceId === id && /^scenario (starts|ended)$/.test(l.msg as string));
      sequence.forEach((line, i) => expect(line.msg).toBe(i % 2 ? 'scenario ended' : 'scenario starts'));
    }
    // Readings (vital signs among them) are logged at debug only.
    const payloads = lines.filter((l) => 'payload' in l);
    expect(payloads.length).toBeGreaterThan(0);
    expect(payloads.every((l) => l.level === 20)).toBe(true);
    expect(recorder.messages.some((m) => m.kind === 'event')).toBe(true);
  });

  it('refuses an interval that is not positive', async () => {
    const fleet = await startFleet({ mqttUrl: 'mqtt://unused', devices, links: recordingLinks().factory });
    expect(() => startScenarioRotation({ fleet, everyMs: 0 })).toThrow(/must be positive/);
    await fleet.close();
  });
});
