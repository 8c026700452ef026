import { describe, expect, it } from 'vitest';
import { parseDeviceMessage } from './validate.js';

const NOW = Date.parse('2026-11-23T02:15:00Z');
const ts = '2026-11-23T02:14:05.120Z';
const parse = (
  topic: Parameters<typeof parseDeviceMessage>[0],
  kind: Parameters<typeof parseDeviceMessage>[1],
  body: unknown,
) => parseDeviceMessage(topic, kind, typeof body === 'string' ? body : JSON.stringify(body), NOW);

describe('parseDeviceMessage', () => {
  it('accepts the PROTOCOL.md fall example and normalises ts to epoch ms', () => {
    const result = parse('event', 'wristband', { seq: 17, ts, type: 'fall', confidence: 0.93 });
    expect(result).toEqual({
      ok: true,
      message: { kind: 'event', event: { seq: 17, ts: Date.parse(ts), type: 'fall', confidence: 0.93 } },
    });
  });

  it('accepts a single reading with any subset of its kind’s fields', () => {
    const result = parse('reading', 'wristband', { seq: 1, ts: NOW - 1000, hr: 71 });
    expect(result).toEqual({ ok: true, message: { kind: 'reading', seq: 1, samples: [{ ts: NOW - 1000, hr: 71 }] } });
  });

  it('a wristband sample may say how much the wearer moved (motion 0–100), as a bed mat does', () => {
    expect(parse('reading', 'wristband', { seq: 1, ts: NOW - 1000, spo2: 84, motion: 60 }).ok).toBe(true);
    const result = parse('reading', 'wristband', { seq: 1, ts: NOW - 1000, spo2: 84, motion: 101 });
    expect(!result.ok && result.reason).toMatch(/motion: must be ≤ 100/);
  });

  it('expands a batched samples reading, each sample with its own ts', () => {
    const body = {
      seq: 88,
      samples: [
        { ts: NOW - 2000, hr: 71, spo2: 97 },
        { ts: NOW - 1000, hr: 72 },
      ],
    };
    const result = parse('reading', 'wristband', body);
    expect(result.ok && result.message.kind === 'reading' && result.message.samples).toHaveLength(2);
  });

  it.each([
    ['not JSON', 'reading', 'wristband', '{"seq":1,', /not valid JSON/],
    ['an array', 'reading', 'wristband', '[1]', /JSON object/],
    ['no measurement', 'reading', 'wristband', { seq: 1, ts }, /at least one measurement/],
    ['out of range', 'reading', 'wristband', { seq: 1, ts, hr: 301 }, /hr: must be ≤ 300 bpm/],
    ['a field of another kind', 'reading', 'door', { seq: 1, ts, hr: 60 }, /Unrecognized key/i],
    ['negative seq', 'reading', 'smoke', { seq: -1, ts, smoke: 1 }, /seq: must be ≥ 0/],
    ['ts too old', 'reading', 'gas', { seq: 1, ts: NOW - 8 * 86400_000, co: 3 }, /more than 7 days old/],
    ['ts in the future', 'event', 'button', { seq: 1, ts: NOW + 6 * 60_000, type: 'sos' }, /in the future/],
    ['bad timestamp text', 'event', 'button', { seq: 1, ts: 'yesterday', type: 'sos' }, /RFC 3339/],
    ['wrong event type for the kind', 'event', 'door', { seq: 1, ts, type: 'fall' }, /must be one of open, close/],
    ['confidence on a non-fall', 'event', 'wristband', { seq: 1, ts, type: 'sos', confidence: 1 }, /only allowed/],
    [
      '65 samples',
      'reading',
      'wristband',
      { seq: 1, samples: Array.from({ length: 65 }, () => ({ ts, hr: 60 })) },
      /1 to 64/,
    ],
    [
      'one bad sample',
      'reading',
      'wristband',
      {
        seq: 1,
        samples: [
          { ts, hr: 60 },
          { ts, hr: -5 },
        ],
      },
      /samples\.1\.hr/,
    ],
    ['a publish on the command topic', 'command', 'door', { seq: 1, ts }, /command topic/],
  ] as const)('rejects %s with a readable reason', (_name, topic, kind, body, reason) => {
    const result = parse(topic, kind, body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('rejects payloads over 8 KiB before parsing them', () => {
    const result = parse('reading', 'wristband', JSON.stringify({ seq: 1, ts, hr: 1, pad: 'x'.repeat(9000) }));
    expect(!result.ok && result.reason).toMatch(/over the 8 KiB limit/);
  });

  it('accepts the Last Will and a full status', () => {
    expect(parse('status', 'smoke', '{"online":false}').ok).toBe(true);
    expect(parse('status', 'smoke', { online: true, battery: 87, fw: '1.4.2', seq: 9, ts }).ok).toBe(true);
  });
});
