// A fleet of registered devices and a deterministic mixed stream of good and bad messages for it, with the
// exact rows each table must end up with. Shared by the ingest tests and bench/ingest.ts.
import { type Queryable } from '@vigil/core';
import { addDevice, addFacility, addResident, retireDevice } from '@vigil/store';
import { deviceTopic, type DeviceKind } from '@vigil/protocol';
import mqtt from 'mqtt';

export interface FleetDevice {
  id: string;
  kind: DeviceKind;
  secret: string;
}

export interface Fleet {
  facility: string;
  devices: FleetDevice[];
  retired: string;
}

export type TableCounts = Record<'vitals' | 'environment' | 'device_events' | 'device_status' | 'dead_letters', number>;

export interface StreamMessage {
  topic: string;
  payload: string;
}

const KINDS: DeviceKind[] = ['wristband', 'wristband', 'bedmat', 'smoke'];

/** Registers a facility with `size` devices (wristbands worn by residents, bed mats, smoke sensors). */
export async function createFleet(db: Queryable, facility: string, size: number): Promise<Fleet> {
  await addFacility(db, { id: facility, name: `Test ${facility}`, region: 'test-region', timezone: 'Europe/Berlin' });
  const devices = await Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const id = `${facility}-${kind}-${i}`;
      let resident: string | undefined;
      if (kind === 'wristband') {
        resident = `${facility}-r${i}`;
        await addResident(db, { facility, id: resident, careLevel: 'semi-dependent' });
      }
      const { secret } = await addDevice(db, { facility, id, kind, resident });
      return { id, kind, secret };
    }),
  );
  const retired = `${facility}-retired`;
  await addDevice(db, { facility, id: retired, kind: 'smoke' });
  await retireDevice(db, retired);
  return { facility, devices, retired };
}

/** One good message of message number `n` for a device: readings, batched samples, events and statuses. */
function goodMessage(device: FleetDevice, seq: number, ts: number, n: number): [kind: string, body: object] {
  const variant = n % 10;
  if (variant === 8) return ['status', { seq, ts, online: true, battery: 90 - (seq % 50), fw: '1.4.2' }];
  if (variant === 9) {
    const type = { wristband: 'sos', bedmat: 'bed_exit', smoke: 'test' }[device.kind as string] ?? 'test';
    return ['event', { seq, ts, type }];
  }
  if (device.kind === 'wristband') {
    if (variant === 0) {
      // A wearable's upload: 4 samples a second apart, one seq.
      const samples = [3, 2, 1, 0].map((k) => ({ ts: ts - k * 1000, hr: 60 + k, spo2: 97 }));
      return ['reading', { seq, samples }];
    }
    return ['reading', { seq, ts, hr: 60 + (seq % 40), spo2: 95 + (seq % 5), battery: 80 }];
  }
  if (device.kind === 'bedmat') return ['reading', { seq, ts, occupied: true, hr: 58, rr: 14 }];
  return ['reading', { seq, ts, smoke: 0.1, temp: 21.5, battery: 77 }];
}

const rowsOf = (kind: string, body: object, deviceKind: DeviceKind): Partial<TableCounts> => {
  if (kind === 'status') return { device_status: 1 };
  if (kind === 'event') return { device_events: 1 };
  const table = deviceKind === 'smoke' ? 'environment' : 'vitals';
  return { [table]: 'samples' in body ? (body.samples as unknown[]).length : 1 };
};

/**
 * `good` valid messages spread over the fleet (each device's seq counting up) and `bad` invalid ones of
 * every kind PROTOCOL.md lists, interleaved; `expected` is what ingest must store.
 */
export function makeStream(fleet: Fleet, good: number, bad: number, now = Date.now()) {
  const good_: StreamMessage[] = [];
  const expected: TableCounts = { vitals: 0, environment: 0, device_events: 0, device_status: 0, dead_letters: bad };
  const seqs = new Map<string, number>();
  for (let n = 0; n < good; n++) {
    const device = fleet.devices[n % fleet.devices.length]!;
    const seq = (seqs.get(device.id) ?? 0) + 1;
    seqs.set(device.id, seq);
    const ts = now - 60_000 - (good - n) * 5;
    const [kind, body] = goodMessage(device, seq, ts, Math.floor(n / fleet.devices.length) + n);
    good_.push({ topic: deviceTopic(fleet.facility, device.id, kind as 'reading'), payload: JSON.stringify(body) });
    for (const [table, rows] of Object.entries(rowsOf(kind, body, device.kind)))
      expected[table as keyof TableCounts] += rows;
  }
  const wristband = fleet.devices.find((d) => d.kind === 'wristband')!;
  const smoke = fleet.devices.find((d) => d.kind === 'smoke')!;
  const topic = (d: string, kind: 'reading' | 'event' | 'status', facility = fleet.facility) =>
    deviceTopic(facility, d, kind);
  const badMakers: Array<(i: number) => StreamMessage> = [
    (i) => ({ topic: topic(wristband.id, 'reading'), payload: `{"seq":${i},` }),
    (i) => ({ topic: topic(wristband.id, 'reading'), payload: JSON.stringify({ seq: i, ts: now, hr: 400 }) }),
    (i) => ({ topic: topic(wristband.id, 'reading'), payload: JSON.stringify({ seq: i, ts: now, heartRate: 70 }) }),
    (i) => ({ topic: topic(smoke.id, 'event'), payload: JSON.stringify({ seq: i, ts: now, type: 'fall' }) }),
    (i) => ({
      topic: topic(`${fleet.facility}-ghost`, 'reading'),
      payload: JSON.stringify({ seq: i, ts: now, hr: 1 }),
    }),
    (i) => ({
      topic: topic(smoke.id, 'reading'),
      payload: JSON.stringify({ seq: i, ts: now - 8 * 86_400_000, temp: 20 }),
    }),
    (i) => ({
      topic: topic(smoke.id, 'reading', `${fleet.facility}-elsewhere`),
      payload: JSON.stringify({ seq: i, ts: now, temp: 20 }),
    }),
    (i) => ({ topic: topic(fleet.retired, 'reading'), payload: JSON.stringify({ seq: i, ts: now, temp: 20 }) }),
    (i) => ({
      topic: topic(wristband.id, 'reading'),
      payload: JSON.stringify({
        seq: i,
        samples: [
          { ts: now, hr: 70 },
          { ts: now + 1, hr: -5 },
        ],
      }),
    }),
    (i) => ({
      topic: topic(smoke.id, 'status'),
      payload: JSON.stringify({ seq: i, ts: now, online: true, battery: 150 }),
    }),
  ];
  const bad_ = Array.from({ length: bad }, (_, i) => badMakers[i % badMakers.length]!(1_000_000 + i));
  // Interleave: one bad message after every good/bad-th good one.
  const messages: StreamMessage[] = [];
  const every = Math.max(1, Math.floor(good / Math.max(1, bad)));
  let b = 0;
  good_.forEach((m, i) => {
    messages.push(m);
    if ((i + 1) % every === 0 && b < bad) messages.push(bad_[b++]!);
  });
  while (b < bad) messages.push(bad_[b++]!);
  return { messages, good: good_, expected };
}

/** Publishes at QoS 1 with up to `window` messages in flight; resolves when every PUBACK has arrived. */
export async function publishAll(
  url: string,
  login: { username: string; password: string; clientId?: string },
  messages: StreamMessage[],
  window = 500,
): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    ...login,
    clientId: login.clientId ?? login.username,
    reconnectPeriod: 0,
  });
  try {
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const m = messages[next++]!;
        await client.publishAsync(m.topic, m.payload, { qos: 1 });
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  } finally {
    await client.endAsync();
  }
}

/** Row counts of the ingest tables for one facility (dead letters by topic prefix). */
export async function countRows(db: Queryable, facility: string): Promise<TableCounts> {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM vitals WHERE facility_id = $1)::int AS vitals,
            (SELECT count(*) FROM environment WHERE facility_id = $1)::int AS environment,
            (SELECT count(*) FROM device_events WHERE facility_id = $1)::int AS device_events,
            (SELECT count(*) FROM device_status WHERE facility_id = $1 AND source = 'status')::int AS device_status,
            (SELECT count(*) FROM dead_letters WHERE topic LIKE 'vigil/v1/' || $1 || '%')::int AS dead_letters`,
    [facility],
  );
  return rows[0];
}
