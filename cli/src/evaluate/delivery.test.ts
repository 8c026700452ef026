import { describe, expect, it } from 'vitest';
import type { DeviceRecord } from '@vigil/simulators';
import { deliveries } from './delivery.js';

const T0 = Date.parse('2026-11-03T02:00:00Z');
/** A wristband sampling every 5 s for 2 min, with a fall event in the middle and its Last Will at the end. */
const records: DeviceRecord[] = [
  ...Array.from({ length: 24 }, (_, i): DeviceRecord => ({
    device: 'wb-1',
    ts: T0 + i * 5000,
    kind: 'reading',
    fields: { hr: 70 + i },
  })),
  { device: 'wb-1', ts: T0 + 62_000, kind: 'event' as const, body: { type: 'fall', confidence: 0.9 } },
  { device: 'wb-1', ts: T0 + 130_000, kind: 'status' as const, online: false, will: true },
].sort((a, b) => a.ts - b.ts);
const END = T0 + 200_000;

const bodies = (mode: Parameters<typeof deliveries>[1]) =>
  deliveries(records, mode, END, 'test').map((d) => ({ ...d, body: JSON.parse(d.payload) }));
const sampleTimes = (ds: ReturnType<typeof bodies>) =>
  ds.flatMap((d) =>
    (d.body.samples ?? (d.topic.endsWith('/reading') ? [d.body] : [])).map((s: { ts: string }) => Date.parse(s.ts)),
  );

describe('delivery modes', () => {
  it('single: one message per record, in order, arriving after it was sent', () => {
    const ds = bodies({ name: 'single' });
    expect(ds).toHaveLength(records.length);
    expect(ds.map((d) => d.body.seq)).toEqual([...Array.from({ length: 25 }, (_, i) => i), undefined]);
    expect(ds.at(-1)!.body).toEqual({ online: false });
    ds.forEach((d, i) => expect(d.at).toBeGreaterThan(records[i]!.ts));
  });

  it('batches: every sample exactly once, at most N a message, none held past the device interval', () => {
    for (const size of [2, 7, 64]) {
      const ds = bodies({ name: 'batch', size });
      expect(sampleTimes(ds)).toEqual(records.filter((r) => r.kind === 'reading').map((r) => r.ts));
      const batches = ds.filter((d) => d.body.samples);
      expect(Math.max(...batches.map((d) => d.body.samples.length))).toBeLessThanOrEqual(size);
      for (const d of batches) expect(d.at - Date.parse(d.body.samples[0].ts)).toBeLessThanOrEqual(60_000 + 400);
      // The fall goes out at once, after the readings taken before it.
      const fall = ds.findIndex((d) => d.topic.endsWith('/event'));
      expect(Date.parse(ds[fall - 1]!.body.samples.at(-1).ts)).toBeLessThan(T0 + 62_000);
    }
    expect(bodies({ name: 'batch', size: 7 }).filter((d) => d.body.samples?.length === 7).length).toBeGreaterThan(0);
  });

  it('late: everything after the end, in batches of up to 64, in device order', () => {
    const ds = bodies({ name: 'late' });
    expect(ds.every((d) => d.at > END)).toBe(true);
    expect(ds.map((d) => d.topic.split('/').at(-1))).toEqual(['reading', 'event', 'reading', 'status']);
    expect(sampleTimes(ds)).toHaveLength(24);
  });
});
