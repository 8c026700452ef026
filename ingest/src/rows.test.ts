import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from './devices.js';
import { prepareMessage } from './prepare.js';
import { arrayLiteral, copyText, encodeBatch, TABLES } from '@vigil/store';
import { buildRows } from './rows.js';

const now = Date.parse('2026-11-23T12:30:00Z');
const band: DeviceInfo = {
  id: 'wb-1',
  facility: 'f1',
  kind: 'wristband',
  resident: 'r1',
  location: null,
  retired: false,
};
const smoke: DeviceInfo = {
  id: 'sm-1',
  facility: 'f1',
  kind: 'smoke',
  resident: null,
  location: 'room-1',
  retired: false,
};
const msg = (device: DeviceInfo, kind: string, body: object, retained = false) =>
  prepareMessage(`vigil/v1/f1/${device.id}/${kind}`, Buffer.from(JSON.stringify(body)), now, device, retained);
const column = (table: keyof typeof TABLES, name: string) => TABLES[table].columns.findIndex(([c]) => c === name);

describe('buildRows', () => {
  it('maps readings, samples, events and statuses to their tables with denormalised context', () => {
    const batch = buildRows(
      [
        msg(band, 'reading', { seq: 1, ts: now, hr: 70, skinTemp: 36.5, battery: 80 }),
        msg(band, 'reading', {
          seq: 2,
          samples: [
            { ts: now - 2000, hr: 71 },
            { ts: now - 1000, spo2: 97 },
          ],
        }),
        msg(smoke, 'reading', { seq: 5, ts: now, smoke: 0.2, temp: 21 }),
        msg(band, 'event', { seq: 3, ts: now, type: 'fall', confidence: 0.9 }),
        msg(smoke, 'status', { seq: 6, ts: now, online: true, battery: 55, fw: '2.0' }),
      ],
      now,
    );
    expect(batch.rows.vitals).toHaveLength(3);
    const first = batch.rows.vitals[0]!;
    expect(first[column('vitals', 'resident_id')]).toBe('r1');
    expect(first[column('vitals', 'skin_temp')]).toBe(36.5);
    expect(batch.rows.vitals.map((r) => r[column('vitals', 'seq')])).toEqual([1, 2, 2]);
    expect(batch.rows.environment[0]![column('environment', 'location_id')]).toBe('room-1');
    expect(batch.rows.device_events[0]!.slice(4)).toEqual(['fall', 0.9]);
    expect(batch.rows.device_status[0]!.slice(4)).toEqual(['status', true, 55, '2.0']);
    expect(batch.devices).toEqual([
      { id: 'wb-1', at: now, lastSeen: now, online: true, battery: 80, fw: null },
      { id: 'sm-1', at: now, lastSeen: now, online: true, battery: 55, fw: '2.0' },
    ]);
    expect(batch.dirtyHours).toEqual([]);
  });

  it('truncates dead-letter payloads to 4 KiB and keeps the original size', () => {
    const big = Buffer.alloc(9000, 'x');
    const batch = buildRows([prepareMessage('vigil/v1/f1/wb-1/reading', big, now, band)], now);
    const row = batch.rows.dead_letters[0]!;
    expect((row[5] as Buffer).length).toBe(4096);
    expect(row[6]).toBe(9000);
  });

  it('marks the hours of late readings, events and statuses for the rollup job, and skips replayed retained wills', () => {
    const hourAgo = now - 2 * 3600_000;
    const batch = buildRows(
      [
        msg(band, 'reading', { seq: 1, ts: hourAgo, hr: 70 }),
        msg(band, 'status', { seq: 2, ts: hourAgo - 3600_000, online: true, battery: 0.5 }),
        msg(band, 'status', { online: false }, true),
        msg(band, 'status', { online: false }),
      ],
      now,
    );
    expect([...batch.dirtyHours].sort((a, b) => a - b)).toEqual([
      Date.parse('2026-11-23T09:00:00Z'),
      Date.parse('2026-11-23T10:00:00Z'),
    ]);
    expect(batch.rows.device_status).toHaveLength(2);
    // The will says offline; the device itself was last seen with its reading.
    expect(batch.devices[0]).toMatchObject({ online: false, lastSeen: now, at: now });
  });

  it('keeps the newest state of a batch by device time: a late reading does not revive a device gone offline', () => {
    const batch = buildRows(
      [
        msg(band, 'status', { seq: 7, ts: now - 1000, online: false }),
        msg(band, 'reading', { seq: 6, ts: now - 5000, hr: 70 }), // delivered after the status, taken before it
      ],
      now,
    );
    expect(batch.devices[0]).toMatchObject({ online: false, at: now - 1000, lastSeen: now });
  });
});

describe('copyText', () => {
  it('escapes COPY text format', () => {
    expect(copyText([[null, true, 1.5, 'a\tb\\c\nd', Buffer.from([0xde, 0xad])]])).toBe(
      '\\N\tt\t1.5\ta\\tb\\\\c\\nd\t\\\\xdead\n',
    );
  });
});

describe('arrayLiteral', () => {
  it('renders PostgreSQL array text: quoted strings with \\ and " escaped, bare numbers and booleans, NULL', () => {
    expect(arrayLiteral(['a"b\\c', 'x,y}', 1.5, false, null, Buffer.from([0xbe, 0xef])])).toBe(
      '{"a\\"b\\\\c","x,y}",1.5,f,NULL,"\\\\xbeef"}',
    );
    expect(arrayLiteral([])).toBe('{}');
  });
});

describe('encodeBatch', () => {
  const batch = buildRows(
    [
      msg(band, 'reading', { seq: 1, ts: now, hr: 70 }),
      msg(smoke, 'status', { seq: 2, ts: now, online: true }),
      prepareMessage('vigil/v1/f1/wb-1/reading', Buffer.from('{'), now, band),
    ],
    now,
  );

  it('writes every table, the devices and the late hours in one statement (unnest)', () => {
    const encoded = encodeBatch('unnest', batch);
    expect(encoded.copies).toEqual([]);
    expect(encoded.tables).toEqual(['vitals', 'device_status', 'dead_letters']);
    expect(encoded.attempted).toMatchObject({ vitals: 1, device_status: 1, dead_letters: 1, environment: 0 });
    const { text, values, name } = encoded.statement!;
    expect(text.match(/ON CONFLICT DO NOTHING/g)).toHaveLength(2); // not for dead letters
    expect(text).toContain('UPDATE devices');
    // Columns NULL in every row are left out: vitals has its identity, resident and hr; the status no battery
    // or fw.
    expect(text).toContain('INSERT INTO vitals (time, device_id, seq, facility_id, resident_id, hr) SELECT');
    expect(values).toHaveLength(6 + 6 + 7 + 6);
    expect(name).toMatch(/^ingest-unnest-v\w+s\w+l\w+d$/);
    expect(
      encodeBatch('unnest', buildRows([msg(band, 'reading', { seq: 1, ts: now, spo2: 97 })], now)).statement!.name,
    ).not.toBe(
      encodeBatch('unnest', buildRows([msg(band, 'reading', { seq: 1, ts: now, hr: 70 })], now)).statement!.name,
    );
  });

  it('stages idempotent tables through COPY (copy), dead letters still as arrays', () => {
    const encoded = encodeBatch('copy', batch);
    expect(encoded.copies.map((c) => c.stage)).toEqual(['ingest_stage_vitals', 'ingest_stage_device_status']);
    expect(encoded.statement!.text).toContain('FROM ingest_stage_vitals ON CONFLICT DO NOTHING');
    expect(encoded.statement!.values).toHaveLength(7 + 6);
  });

  it('has nothing to send for a batch without rows', () => {
    expect(encodeBatch('unnest', buildRows([msg(band, 'status', { online: false }, true)], now)).statement).toBeNull();
  });
});
