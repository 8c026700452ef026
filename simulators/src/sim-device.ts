import { deviceTopic, type DeviceKind, type TopicKind } from '@vigil/protocol';
import { drainBattery, initialState, MODELS, type DeviceState, type EventBody, type Fields } from './models/index.js';

/** What a simulated device needs to log in (the secret comes from seeding or `vigil device add`). */
export interface DeviceCredentials {
  id: string;
  facility: string;
  kind: DeviceKind;
  secret: string;
  resident?: string;
  location?: string;
  /** The facility's IANA time zone: behaviour (sleep, meals) follows local time. Default UTC. */
  timezone?: string;
}

export interface OutgoingMessage {
  topic: string;
  kind: Exclude<TopicKind, 'command'>;
  payload: string;
  /** Only status is retained (PROTOCOL.md "Topics"). */
  retain: boolean;
  /** Reading rows it carries: the samples of a batch, 1 for a single reading, 0 for events and status. */
  rows: number;
}

const STATUS_EVERY_MS = 3600 * 1000;

/**
 * One simulated device, without a connection: its state, its `seq` counter (kept only in memory) and
 * its clock. Every message it builds is stamped with a device time that never goes backwards, so
 * (device, ts, seq) stays unique even when a time-lapsed scenario has run ahead of the wall clock.
 */
export class SimDevice {
  readonly state: DeviceState;
  /** A scenario owns the device: periodic readings pause so they do not interleave with its timeline. */
  held = false;
  /** The scenario took the device off the network. */
  offline = false;
  private seq = 0;
  private lastTs = 0;
  private drainedAt: number;
  private statusAt = -Infinity;
  private readonly topics: Record<OutgoingMessage['kind'], string>;
  private readonly batchSamples: number;

  constructor(
    readonly spec: DeviceCredentials,
    options: { ts: number; seed?: string | number; batchSamples?: number },
  ) {
    this.state = initialState(spec, { timezone: spec.timezone ?? 'UTC', seed: options.seed, ts: options.ts });
    this.drainedAt = options.ts;
    this.batchSamples = spec.kind === 'wristband' ? Math.min(64, Math.max(1, options.batchSamples ?? 1)) : 1;
    this.topics = {
      reading: deviceTopic(spec.facility, spec.id, 'reading'),
      event: deviceTopic(spec.facility, spec.id, 'event'),
      status: deviceTopic(spec.facility, spec.id, 'status'),
    };
  }

  get id(): string {
    return this.spec.id;
  }

  get kind(): DeviceKind {
    return this.spec.kind;
  }

  /** The latest device time used; a scenario's timeline starts after it. */
  get clock(): number {
    return this.lastTs;
  }

  private stamp(ts: number): number {
    this.lastTs = Math.max(Math.round(ts), this.lastTs + 1);
    drainBattery(this.state, this.lastTs - this.drainedAt);
    this.drainedAt = this.lastTs;
    return this.lastTs;
  }

  private build(kind: OutgoingMessage['kind'], body: object, rows = kind === 'reading' ? 1 : 0): OutgoingMessage {
    const payload = JSON.stringify({ seq: this.seq++, ...body });
    return { topic: this.topics[kind], kind, payload, retain: kind === 'status', rows };
  }

  status(ts: number): OutgoingMessage {
    const at = this.stamp(ts);
    this.statusAt = at;
    const battery = this.state.battery === null ? {} : { battery: Math.round(this.state.battery) };
    return this.build('status', { ts: new Date(at).toISOString(), online: true, ...battery, fw: this.state.fw });
  }

  /** Sent before a clean shutdown: a DISCONNECT discards the Last Will [MQTT-3.1.2-10], so say it ourselves. */
  offlineStatus(ts: number): OutgoingMessage {
    return this.build('status', { ts: new Date(this.stamp(ts)).toISOString(), online: false });
  }

  reading(fields: Fields, ts: number): OutgoingMessage {
    return this.build('reading', { ts: new Date(this.stamp(ts)).toISOString(), ...fields });
  }

  event(body: EventBody, ts: number): OutgoingMessage {
    return this.build('event', { ts: new Date(this.stamp(ts)).toISOString(), ...body });
  }

  /**
   * One periodic tick at device time `ts`: the model's reading (a batch of `batchSamples` samples spread
   * over the interval, for wristbands that upload in batches), the events it noticed, and an hourly status.
   */
  tick(ts: number, intervalMs: number): OutgoingMessage[] {
    const model = MODELS[this.kind];
    const out: OutgoingMessage[] = [];
    if (this.batchSamples > 1) {
      const step = intervalMs / this.batchSamples;
      const samples = [];
      for (let i = this.batchSamples - 1; i >= 0; i--) {
        const at = this.stamp(ts - i * step);
        samples.push({ ts: new Date(at).toISOString(), ...model.reading(this.state, at).fields });
      }
      out.push(this.build('reading', { samples }, samples.length));
    } else {
      const at = Math.max(Math.round(ts), this.lastTs + 1);
      const { fields, events } = model.reading(this.state, at);
      for (const body of events ?? []) out.push(this.event(body, at));
      out.push(this.reading(fields, at));
    }
    // A second of slack: the last status was stamped a few ms after its tick.
    if (ts - this.statusAt >= STATUS_EVERY_MS - 1000) out.push(this.status(ts));
    return out;
  }
}
