import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from './devices.js';
import { prepareMessage } from './prepare.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const band: DeviceInfo = {
  id: 'wb-1',
  facility: 'f1',
  kind: 'wristband',
  resident: 'r1',
  location: null,
  retired: false,
};
const topic = (kind: string, facility = 'f1', device = 'wb-1') => `vigil/v1/${facility}/${device}/${kind}`;
const reason = (t: string, payload: string, device: DeviceInfo | null = band) => {
  const result = prepareMessage(t, Buffer.from(payload), now, device);
  return result.ok ? null : result.dead.reason;
};

describe('prepareMessage', () => {
  it('accepts a valid reading for the topic device', () => {
    const result = prepareMessage(topic('reading'), Buffer.from(`{"seq":1,"ts":${now},"hr":70}`), now, band);
    expect(result).toMatchObject({ ok: true, device: band, message: { kind: 'reading', seq: 1 } });
  });

  it('dead-letters with a readable reason, keeping topic, facility and device', () => {
    expect(reason(topic('reading'), '{"seq":1,')).toMatch(/^not valid JSON/);
    expect(reason(topic('reading'), `{"seq":1,"ts":${now},"hr":301}`)).toMatch(/hr: must be ≤ 300 bpm/);
    expect(reason(topic('event'), `{"seq":1,"ts":${now},"type":"alarm"}`)).toMatch(/must be one of fall, sos/);
    expect(reason(topic('reading'), `{"seq":1,"ts":${now - 8 * 86_400_000},"hr":70}`)).toMatch(/more than 7 days/);
    expect(reason(topic('reading', 'f1', 'ghost'), '{}', null)).toBe('unknown device ghost');
    expect(reason(topic('reading'), '{}', { ...band, retired: true })).toBe('device wb-1 is retired');
    expect(reason(topic('reading', 'f2'), '{}')).toBe('device wb-1 is registered to facility f1, not f2');
    expect(reason('vigil/v1/f1/wb-1/reading/extra', '{}')).toMatch(/not a device topic/);

    const dead = prepareMessage(topic('reading', 'f2'), Buffer.from('x'), now, band);
    expect(dead).toMatchObject({ ok: false, dead: { topic: topic('reading', 'f2'), facility: 'f2', device: 'wb-1' } });
  });
});
