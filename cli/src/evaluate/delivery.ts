import { deviceTopic } from '@vigil/protocol';
import {
  createRng,
  readingIntervalMs,
  LIBRARY_FACILITY,
  type DeviceRecord,
  type Rng,
  worldDevice,
} from '@vigil/simulators';

/**
 * How the devices' records reach the engine: one sample per message; in `samples` batches (PROTOCOL.md, up to
 * 64), uploaded when full or one expected interval after the previous message; or late: nothing until the scenario is over, then everything in batches of 64, the wall clock
 * later than device time (store-and-forward after an outage).
 */
export type DeliveryMode = { name: 'single' } | { name: 'batch'; size: number } | { name: 'late' };

export const DELIVERY_MODES: readonly DeliveryMode[] = [
  { name: 'single' },
  { name: 'batch', size: 2 },
  { name: 'batch', size: 7 },
  { name: 'batch', size: 64 },
  { name: 'late' },
];

/** `single`, `batch-7`, `late`: how tests and reports name a mode. */
export const modeName = (mode: DeliveryMode) => (mode.name === 'batch' ? `batch-${mode.size}` : mode.name);

export interface Delivery {
  /** Wall clock of arrival at the engine (epoch ms). */
  at: number;
  topic: string;
  payload: string;
}

const MAX_SAMPLES = 64;
/** After an outage, the backlog starts arriving this long after the scenario ends, a message every 20 ms. */
const LATE_AFTER_MS = 30_000;
const LATE_SPACING_MS = 20;

type Reading = Extract<DeviceRecord, { kind: 'reading' }>;

/** One device's messages in its send order, each with the device time it leaves at (before network latency). */
interface Outgoing {
  sentAt: number;
  kind: 'reading' | 'event' | 'status';
  body: object;
}

const iso = (ms: number) => new Date(ms).toISOString();

function single(record: Exclude<DeviceRecord, Reading> | Reading): Outgoing {
  if (record.kind === 'reading')
    return { sentAt: record.ts, kind: 'reading', body: { ts: iso(record.ts), ...record.fields } };
  if (record.kind === 'event')
    return { sentAt: record.ts, kind: 'event', body: { ts: iso(record.ts), ...record.body } };
  const { online, battery, will } = record;
  // The Last Will is exactly {"online":false}: the broker sends what the device registered (PROTOCOL.md "status").
  const body = will ? { online } : { ts: iso(record.ts), online, ...(battery === undefined ? {} : { battery }) };
  return { sentAt: record.ts, kind: 'status', body };
}

/**
 * A device's records as messages: readings grouped into batches of `size`, and uploaded at the latest `everyMs`
 * after the previous message (never before the oldest sample), so a batching device is never silent longer than
 * one that sends each sample.
 */
function batched(records: readonly DeviceRecord[], size: number, everyMs: number): Outgoing[] {
  const out: Outgoing[] = [];
  let pending: Reading[] = [];
  let lastSent = -Infinity;
  const send = (message: Outgoing) => {
    out.push(message);
    lastSent = message.sentAt;
  };
  const flush = (sentAt: number) => {
    if (!pending.length) return;
    send({ sentAt, kind: 'reading', body: { samples: pending.map((r) => ({ ts: iso(r.ts), ...r.fields })) } });
    pending = [];
  };
  const due = () => Math.max(pending[0]!.ts, lastSent + everyMs);
  for (const record of records) {
    if (pending.length && record.ts > due()) flush(due());
    if (record.kind !== 'reading') {
      flush(record.ts);
      send(single(record));
      continue;
    }
    pending.push(record);
    if (pending.length === size) flush(record.ts);
  }
  flush(pending.at(-1)?.ts ?? 0);
  return out;
}

function outgoing(records: readonly DeviceRecord[], mode: DeliveryMode, intervalMs: number): Outgoing[] {
  if (mode.name === 'single') return records.map(single);
  if (mode.name === 'late') return batched(records, MAX_SAMPLES, Infinity);
  return batched(records, mode.size, intervalMs);
}

/** Network and broker latency of one message: 40–400 ms. */
const latency = (rng: Rng) => Math.round(rng.between(40, 400));

/** Every message of the scenario in arrival order, numbered per device (`seq`). */
export function deliveries(
  records: readonly DeviceRecord[],
  mode: DeliveryMode,
  endTs: number,
  seed: string,
): Delivery[] {
  const byDevice = new Map<string, DeviceRecord[]>();
  for (const r of records) {
    const own = byDevice.get(r.device);
    if (own) own.push(r);
    else byDevice.set(r.device, [r]);
  }
  const all: Array<Delivery & { sentAt: number }> = [];
  for (const [device, own] of byDevice) {
    const { kind } = worldDevice(device);
    const rng = createRng(`${seed}/${device}/latency`);
    let seq = 0;
    let arrived = -Infinity;
    for (const message of outgoing(own, mode, readingIntervalMs(kind))) {
      const willless = message.kind === 'status' && !('ts' in message.body);
      const payload = JSON.stringify(willless ? message.body : { seq: seq++, ...message.body });
      const topic = deviceTopic(LIBRARY_FACILITY, device, message.kind);
      // One connection per device: its messages arrive in the order it sent them.
      arrived = Math.max(arrived + 1, message.sentAt + latency(rng));
      all.push({ sentAt: message.sentAt, at: arrived, topic, payload });
    }
  }
  all.sort((a, b) => a.sentAt - b.sentAt);
  if (mode.name === 'late') all.forEach((d, i) => (d.at = endTs + LATE_AFTER_MS + i * LATE_SPACING_MS));
  else all.sort((a, b) => a.at - b.at);
  return all.map(({ at, topic, payload }) => ({ at, topic, payload }));
}
