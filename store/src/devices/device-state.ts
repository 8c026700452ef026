import type { Queryable } from '@vigil/core';

/**
 * A change to one device's current state. `at` orders it: the gateway's clock for connect / disconnect / Last
 * Will, the device's own time for what it sent (capped at when ingest received it, so a fast device clock cannot
 * hide a later disconnect). An update older than the state stored leaves online (and battery) as they are.
 */
export interface DeviceStateUpdate {
  id: string;
  at: number;
  /** null: leaves online as it is (e.g. a batch with only battery). */
  online: boolean | null;
  lastSeen: number | null;
  battery: number | null;
  fw: string | null;
}

/** The array types of the UPDATE's parameters, in `deviceStateValues` order. */
const TYPES = ['text', 'timestamptz', 'bool', 'timestamptz', 'float4', 'text'] as const;

/**
 * The one writer of devices.online / battery / last_seen_at, as an UPDATE whose parameters start at `$first`
 * (ingest embeds it in its one statement per batch). Offline wins a tie: a reading stamped with the very
 * millisecond of a disconnect does not revive the device.
 */
export function deviceStateSql(first: number): string {
  const p = TYPES.map((type, i) => `$${first + i}::${type}[]`);
  return `UPDATE devices d SET
      last_seen_at = GREATEST(d.last_seen_at, u.last_seen),
      online = CASE WHEN u.online IS NOT NULL AND (d.state_at IS NULL OR u.at > d.state_at
        OR (u.at = d.state_at AND NOT u.online)) THEN u.online ELSE d.online END,
      state_at = CASE WHEN u.online IS NULL THEN d.state_at ELSE GREATEST(d.state_at, u.at) END,
      battery = CASE WHEN u.battery IS NOT NULL AND (d.battery_at IS NULL OR u.at >= d.battery_at)
        THEN u.battery ELSE d.battery END,
      battery_at = CASE WHEN u.battery IS NULL THEN d.battery_at ELSE GREATEST(d.battery_at, u.at) END,
      fw = coalesce(u.fw, d.fw)
    FROM unnest(${p.join(', ')}) AS u(id, at, online, last_seen, battery, fw)
    WHERE d.id = u.id`;
}

/** The UPDATE's parameters as column arrays, sorted by device id (a stable lock order: no deadlock between writers). */
export function deviceStateValues(updates: readonly DeviceStateUpdate[]): unknown[][] {
  const sorted = [...updates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return [
    sorted.map((u) => u.id),
    sorted.map((u) => time(u.at)),
    sorted.map((u) => u.online),
    sorted.map((u) => time(u.lastSeen)),
    sorted.map((u) => u.battery),
    sorted.map((u) => u.fw),
  ];
}

/** A connect, disconnect or Last Will seen by the gateway. */
export interface ConnectionEvent {
  at: number;
  deviceId: string;
  facility: string;
  source: 'connect' | 'disconnect' | 'will';
}

/**
 * Records connection events in `device_status` and applies each device's last one (in the given order) to its
 * current state, in one statement.
 */
export async function recordConnectionEvents(db: Queryable, events: readonly ConnectionEvent[]): Promise<void> {
  const last = new Map(events.map((e) => [e.deviceId, e]));
  const updates = [...last.values()].map((e): DeviceStateUpdate => ({
    id: e.deviceId,
    at: e.at,
    online: e.source === 'connect',
    lastSeen: e.at,
    battery: null,
    fw: null,
  }));
  await db.query(
    `WITH status AS (
       INSERT INTO device_status (time, device_id, facility_id, source, online)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::boolean[])
       ON CONFLICT DO NOTHING
     )
     ${deviceStateSql(6)}`,
    [
      events.map((e) => new Date(e.at).toISOString()),
      events.map((e) => e.deviceId),
      events.map((e) => e.facility),
      events.map((e) => e.source),
      events.map((e) => e.source === 'connect'),
      ...deviceStateValues(updates),
    ],
  );
}
