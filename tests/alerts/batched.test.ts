import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsHandle } from '@vigil/alerts';
import type { AlertEvent } from '@vigil/protocol';
import { connectDevice, startBandFixture, startTestAlerts, type BandFixture, type TestDevice } from './harness.js';

/**
 * docs/rules.md "Time": a device that uploads a batch (`samples`, up to 64 a message) holding a whole episode and its
 * recovery raises what a device sending one sample a message would have raised. Each episode is one message here.
 */
describe('an episode inside one batched upload', () => {
  let fixture: BandFixture;
  let alerts: AlertsHandle;
  let gas: TestDevice;
  let band: TestDevice;

  beforeAll(async () => {
    fixture = await startBandFixture();
    alerts = await startTestAlerts(fixture.db.pool, fixture.db.url, fixture.gateway.url);
    gas = await connectDevice(fixture.db.pool, fixture.gateway.url, {
      facility: 'f1',
      id: 'gs-1',
      kind: 'gas',
      location: 'kitchen-1',
    });
    // A wearable that uploads every 5 s.
    band = await connectDevice(fixture.db.pool, fixture.gateway.url, {
      facility: 'f1',
      id: 'wb-2',
      kind: 'wristband',
      resident: 'r1',
      expectedIntervalS: 5,
    });
  });
  afterAll(async () => {
    await band?.close();
    await gas?.close();
    await alerts?.close();
    await fixture?.close();
  });

  /** `spans` of [seconds, fields] every `stepS` seconds, ending `stepS` before now (device time). */
  function samples(stepS: number, spans: Array<[number, object]>): object[] {
    const total = spans.reduce((sum, [seconds]) => sum + seconds, 0);
    const start = Date.now() - total * 1000;
    const out: object[] = [];
    let t = 0;
    for (const [seconds, fields] of spans) {
      for (const end = t + seconds; t < end; t += stepS) out.push({ ts: start + t * 1000, ...fields });
    }
    expect(out.length).toBeLessThanOrEqual(64);
    return out;
  }

  const event = (kind: AlertEvent['event'], rule: string, subject: string) => (e: AlertEvent) =>
    e.event === kind && e.alert.rule === rule && e.alert.subject === subject;

  it('SpO2 83 % for 3 min, then normal: critical vitals', async () => {
    await band.publish('reading', {
      samples: samples(5, [
        [180, { spo2: 83 }],
        [60, { spo2: 97 }],
      ]),
    });
    const raised = await fixture.listener.next('SpO2 raised', event('raised', 'vitals', 'resident:r1:spo2'));
    expect(raised.alert.priority).toBe('critical');
  });

  it('CO 320 ppm for 5 min, then vented: critical gas', async () => {
    await gas.publish('reading', {
      samples: samples(10, [
        [300, { co: 320 }],
        [60, { co: 5 }],
      ]),
    });
    const raised = await fixture.listener.next('gas raised', event('raised', 'gas', 'location:kitchen-1'));
    expect(raised.alert.priority).toBe('critical');
  });

  it('heart rate 150 for 4 min, then settled: high vitals, raised and auto-cleared', async () => {
    await band.publish('reading', {
      samples: samples(6, [
        [240, { hr: 150 }],
        [120, { hr: 75 }],
      ]),
    });
    const raised = await fixture.listener.next('HR raised', event('raised', 'vitals', 'resident:r1:hr'));
    expect(raised.alert.priority).toBe('high');
    const cleared = await fixture.listener.next('HR auto-cleared', event('auto_cleared', 'vitals', 'resident:r1:hr'));
    expect(cleared.alert.id).toBe(raised.alert.id);
  });
});
