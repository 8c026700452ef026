import type { OutgoingMessage } from './sim-device.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface FleetStats {
  devices: number;
  connected: number;
  /** Devices whose credentials the broker refused (CONNACK 4/5); they stop trying. */
  refused: number;
  connects: number;
  disconnects: number;
  published: Record<OutgoingMessage['kind'], number>;
  /** Reading rows sent: a batched message counts once per sample. */
  samples: number;
  /** QoS 1 publishes the broker acknowledged (PUBACK) and those that failed. */
  acked: number;
  failed: number;
  /** Published, not yet acknowledged. */
  inFlight: number;
  /** Periodic readings not sent because `maxInFlight` publishes were unacknowledged. */
  skipped: number;
  scenariosRunning: number;
  /** Publish → PUBACK round trip, milliseconds (a sample of at most 20 000). */
  ackLatencyMs: LatencySummary;
}

const RESERVOIR = 20_000;

/** Counters shared by a fleet; the latency sample is a reservoir so memory stays flat on long load runs. */
export class FleetCounters {
  connected = 0;
  refused = 0;
  connects = 0;
  disconnects = 0;
  published = { reading: 0, event: 0, status: 0 };
  samples = 0;
  acked = 0;
  failed = 0;
  inFlight = 0;
  skipped = 0;
  private latencies: number[] = [];
  private seen = 0;

  recordAck(latencyMs: number): void {
    this.acked++;
    this.seen++;
    if (this.latencies.length < RESERVOIR) this.latencies.push(latencyMs);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < RESERVOIR) this.latencies[slot] = latencyMs;
    }
  }

  latency(): LatencySummary {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { count: this.seen, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0 };
  }
}
