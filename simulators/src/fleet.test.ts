import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDeviceMessage, DEFAULT_NIGHT_WINDOW, inClockWindow } from '@vigil/protocol';
import { startFleet } from './fleet.js';
import type { LinkFactory } from './link.js';
import { recordingLinks } from './recording-link.js';

const START = Date.parse('2026-11-23T00:00:00Z');
const HOUR = 3600_000;
const door = { id: 'door-1', facility: 'f', kind: 'door' as const, secret: 's', timezone: 'Europe/Berlin' };
const band = { id: 'wb-1', facility: 'f', kind: 'wristband' as const, secret: 's', timezone: 'Europe/Berlin' };

describe('fleet', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START, toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());

  it('an exit door opens now and then by day, never at night; every message passes the contract', async () => {
    const recorder = recordingLinks();
    const fleet = await startFleet({ mqttUrl: 'mqtt://unused', devices: [door], links: recorder.factory });
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    await fleet.close();
    const events = recorder.messages.filter((m) => m.kind === 'event').map((m) => JSON.parse(m.payload));
    expect(events.filter((e) => e.type === 'open').length).toBeGreaterThan(5);
    expect(events.every((e) => !inClockWindow(Date.parse(e.ts), door.timezone, DEFAULT_NIGHT_WINDOW))).toBe(true);
    for (const m of recorder.messages) expect(parseDeviceMessage(m.kind, 'door', m.payload, m.at).ok).toBe(true);
    // Hourly readings plus the open/close pairs; statuses at connect, hourly and at close.
    expect(fleet.stats().published.reading).toBeGreaterThanOrEqual(24);
    expect(JSON.parse(recorder.messages.at(-1)!.payload)).toMatchObject({ online: false });
  });

  it('counts batched samples and stops reading when too many publishes are unacknowledged', async () => {
    const pending: Array<() => void> = [];
    const stuck: LinkFactory = (_device, events) => {
      queueMicrotask(() => events.connected());
      return {
        connected: true,
        publish: () => new Promise<void>((resolve) => pending.push(resolve)),
        drop: () => undefined,
        reconnect: () => undefined,
        close: async () => undefined,
      };
    };
    const fleet = await startFleet({
      mqttUrl: 'mqtt://unused',
      devices: [band],
      links: stuck,
      intervalMs: 1000,
      batchSamples: 10,
      maxInFlight: 3,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fleet.stats()).toMatchObject({ inFlight: 3, acked: 0, samples: 20 });
    expect(fleet.stats().skipped).toBeGreaterThanOrEqual(7);
    pending.splice(0).forEach((ack) => ack());
    await vi.advanceTimersByTimeAsync(1000);
    expect(fleet.stats()).toMatchObject({ acked: 3, samples: 30 });
    await fleet.close();
  });

  it('refuses options out of range and a device listed twice', async () => {
    const base = { mqttUrl: 'mqtt://unused', links: recordingLinks().factory };
    await expect(startFleet({ ...base, devices: [band], batchSamples: 65 })).rejects.toMatchObject({
      code: 'VIGIL_ERR_SIM_INVALID_OPTIONS',
    });
    await expect(startFleet({ ...base, devices: [band], speed: 0 })).rejects.toThrow(/speed/);
    await expect(startFleet({ ...base, devices: [band, band] })).rejects.toThrow(/twice/);
  });
});
