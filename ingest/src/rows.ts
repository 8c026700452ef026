import { READING_TABLE, type ReadingSample } from '@vigil/protocol';
import {
  deadLetterValues,
  READING_COLUMNS,
  type DeviceStateUpdate,
  type Row,
  type RowBatch,
  type TableName,
} from '@vigil/store';
import type { Prepared } from './prepare.js';

/** The current state of `devices` that one batch changes (written by the store's one device-state writer). */
export type DeviceUpdate = DeviceStateUpdate;

const HOUR_MS = 3600_000;
/** A row is "late" when its hour ended this long before the flush: the rollup job may have passed it. */
export const LATE_AFTER_MS = 5 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** Field names of a reading table's value columns, in column order. */
const VITALS_KEYS = READING_COLUMNS.vitals.map(({ field }) => field);
const ENVIRONMENT_KEYS = READING_COLUMNS.environment.map(({ field }) => field);

/** Appends a sample's values, in column order, to the identity columns of its row. */
function sampleRow(sample: ReadingSample, keys: readonly string[], row: Row): Row {
  for (const key of keys) row.push(sample[key] ?? null);
  return row;
}

function deviceUpdate(devices: Map<string, DeviceUpdate>, id: string): DeviceUpdate {
  let update = devices.get(id);
  if (!update) devices.set(id, (update = { id, at: 0, online: null, lastSeen: null, battery: null, fw: null }));
  return update;
}

/**
 * Online or offline as of the device's time `ts`, capped at `receivedAt` (a fast device clock must not outrank a
 * later disconnect); within a batch the newest state wins, offline on a tie, as in the store's device-state update.
 */
function state(update: DeviceUpdate, online: boolean, ts: number, receivedAt: number): void {
  const at = Math.min(ts, receivedAt);
  if (update.online === null || at > update.at || (at === update.at && !online)) {
    update.online = online;
    update.at = at;
  }
}

function seen(update: DeviceUpdate, ts: number, receivedAt: number): void {
  update.lastSeen = Math.max(update.lastSeen ?? 0, receivedAt);
  state(update, true, ts, receivedAt);
}

/** Turns prepared messages into rows per table, device-state updates and late hours. */
export function buildRows(batch: readonly Prepared[], flushNow: number): RowBatch {
  const rows: Record<TableName, Row[]> = {
    vitals: [],
    environment: [],
    device_events: [],
    device_status: [],
    dead_letters: [],
  };
  const devices = new Map<string, DeviceUpdate>();
  const dirty = new Set<number>();
  const lateHour = (time: number) => {
    const hour = Math.floor(time / HOUR_MS) * HOUR_MS;
    if (hour + HOUR_MS + LATE_AFTER_MS <= flushNow) dirty.add(hour);
  };
  for (const item of batch) {
    if (!item.ok) {
      rows.dead_letters.push(deadLetterValues(item.dead));
      continue;
    }
    const { device, message, receivedAt } = item;
    // A retained status replayed on subscription is the latest state we already have; without a `ts`
    // (the Last Will) it cannot be recognised as a duplicate, so it is neither stored again nor applied.
    if (message.kind === 'status' && item.retained && message.status.ts === undefined) continue;
    const update = deviceUpdate(devices, device.id);
    if (message.kind === 'reading') {
      const table = READING_TABLE[device.kind];
      const vitals = table === 'vitals';
      const keys = vitals ? VITALS_KEYS : ENVIRONMENT_KEYS;
      const context = vitals ? device.resident : device.location;
      const target = rows[table];
      let newest = 0;
      for (const sample of message.samples) {
        target.push(sampleRow(sample, keys, [iso(sample.ts), device.id, message.seq, device.facility, context]));
        lateHour(sample.ts);
        if (typeof sample.battery === 'number') update.battery = sample.battery;
        newest = Math.max(newest, sample.ts);
      }
      seen(update, newest, receivedAt);
    } else if (message.kind === 'event') {
      const e = message.event;
      rows.device_events.push([iso(e.ts), device.id, e.seq, device.facility, e.type, e.confidence ?? null]);
      lateHour(e.ts);
      seen(update, e.ts, receivedAt);
    } else {
      const s = message.status;
      lateHour(s.ts ?? receivedAt);
      rows.device_status.push([
        iso(s.ts ?? receivedAt),
        device.id,
        s.seq ?? -1,
        device.facility,
        'status',
        s.online,
        s.battery ?? null,
        s.fw ?? null,
      ]);
      // The Last Will ({"online":false}) is published by the broker: the device was not seen.
      if (s.online) seen(update, s.ts ?? receivedAt, receivedAt);
      else state(update, false, s.ts ?? receivedAt, receivedAt);
      if (s.battery !== undefined) update.battery = s.battery;
      if (s.fw !== undefined) update.fw = s.fw;
    }
  }
  return { rows, devices: [...devices.values()], dirtyHours: [...dirty] };
}
