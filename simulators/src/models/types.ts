import type { DeviceKind } from '@vigil/protocol';
import type { Rng } from '../random.js';
import type { Step } from '../steps.js';

/** Measurement fields of one reading (PROTOCOL.md "`reading` fields by device kind"), without seq and ts. */
export type Fields = Record<string, number | boolean | string>;

/** An event body without seq and ts. */
export interface EventBody {
  type: string;
  confidence?: number;
}

/** A resident's physiology, drawn once per device so each one has its own, stable baseline. */
export interface Physiology {
  hr: number;
  spo2: number;
  rr: number;
  skinTemp: number;
  sbp: number;
  dbp: number;
  /** Local hours the resident is in bed, e.g. 21.25 → 6.75 (always covering the 22:00–06:00 night window). */
  bedtime: number;
  wakeTime: number;
  /** Takes an afternoon nap in bed (more likely for dependent residents). */
  naps: boolean;
}

/** The simulated state of one device; scenarios change it through `patch` steps. */
export interface DeviceState {
  kind: DeviceKind;
  rng: Rng;
  timezone: string;
  /** Percent, or null for mains-powered devices (bed mat, electrical monitor). */
  battery: number | null;
  drainPerHour: number;
  fw: string;
  body: Physiology;
  /** Current heart rate of the slow random walk around the baseline. */
  hr: number;
  worn: boolean;
  occupied: boolean;
  doorOpen: boolean;
}

/** What a device model produces for one periodic tick. */
export interface ModelOutput {
  fields: Fields;
  /** Events noticed at the same moment, e.g. a bed mat's `bed_enter` when the resident lies down. */
  events?: EventBody[];
}

/** A device's normal behaviour: a pure function of its state, the device time and its random source. */
export interface DeviceModel {
  /** Whether readings and status carry `battery`. */
  batteryPowered: boolean;
  reading(state: DeviceState, ts: number): ModelOutput;
  /** Spontaneous activity checked every `everyMs` (a door opening by day), played like a scenario. */
  activity?: { everyMs: number; steps(state: DeviceState, ts: number): Step[] };
}
