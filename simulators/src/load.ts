import type { Clock, Logger } from '@vigil/core';
import { startFleet, type Fleet } from './fleet.js';
import { sharedLinkFactory } from './shared-link.js';
import type { DeviceCredentials } from './sim-device.js';
import type { FleetStats, LatencySummary } from './stats.js';

export interface LoadOptions {
  mqttUrl: string;
  devices: readonly DeviceCredentials[];
  /** Reading messages per second per device (spread evenly over the fleet). */
  ratePerDevice: number;
  /** Wristband samples per message (1–64): rows per second = rate × batch. */
  batchSamples?: number;
  /** How long to publish once the fleet is connected. */
  durationMs: number;
  /**
   * Publish through a few connections of a `simulator` service account instead of one connection per
   * device: thousands of devices without thousands of sockets and password checks.
   */
  account?: { username: string; password: string; connections?: number };
  connectConcurrency?: number;
  /** Unacknowledged publishes allowed before readings are skipped (default 5 000); see FleetOptions. */
  maxInFlight?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface LoadReport {
  devices: number;
  connected: number;
  /** Time to connect the fleet; the publishing window; then the wait for the last acknowledgements. */
  connectMs: number;
  durationMs: number;
  drainMs: number;
  published: number;
  acked: number;
  failed: number;
  /** Readings not sent because too many publishes were unacknowledged: the broker fell behind. */
  skipped: number;
  /** Reading rows sent (batched samples counted one by one). */
  samples: number;
  /** Acknowledged messages (and their reading rows) per second of publishing and draining. */
  ackedPerSecond: number;
  samplesPerSecond: number;
  ackLatencyMs: LatencySummary;
}

export interface Load {
  /** Resolves with the report once `durationMs` has passed and the fleet has closed. */
  done: Promise<LoadReport>;
  /** Ends early; resolves with the report. */
  stop(): Promise<LoadReport>;
  stats(): FleetStats;
}

/**
 * A load run for benchmarks: every device publishes readings at `ratePerDevice` for `durationMs`, no
 * spontaneous activity, then the fleet closes cleanly (every in-flight message acknowledged or failed)
 * and the report counts what the broker acknowledged.
 */
export async function startLoad(options: LoadOptions): Promise<Load> {
  const connectStart = performance.now();
  const intervalMs = 1000 / options.ratePerDevice;
  const fleet: Fleet = await startFleet({
    mqttUrl: options.mqttUrl,
    devices: options.devices,
    intervalMs,
    firstReadingWithinMs: intervalMs,
    batchSamples: options.batchSamples,
    activity: false,
    connectConcurrency: options.connectConcurrency,
    maxInFlight: options.maxInFlight ?? 5000,
    logger: options.logger,
    clock: options.clock,
    links: options.account && sharedLinkFactory({ url: options.mqttUrl, ...options.account }),
  });
  const started = performance.now();
  const connectMs = started - connectStart;
  // Devices that connected early have been publishing already: the report counts only the window.
  const before = fleet.stats();
  let finishing: Promise<LoadReport> | undefined;
  let reported = (_report: LoadReport) => undefined as void;
  const done = new Promise<LoadReport>((resolve) => (reported = resolve));
  const finish = (): Promise<LoadReport> =>
    (finishing ??= (async () => {
      clearTimeout(timer);
      const durationMs = performance.now() - started;
      const connected = fleet.stats().connected;
      await fleet.close();
      const drainMs = performance.now() - started - durationMs;
      const seconds = (durationMs + drainMs) / 1000;
      const s = fleet.stats();
      const sent = (x: FleetStats) => x.published.reading + x.published.event + x.published.status;
      const published = sent(s) - sent(before);
      const acked = s.acked - before.acked;
      const samples = s.samples - before.samples;
      return {
        devices: s.devices,
        connected,
        connectMs,
        durationMs,
        drainMs,
        published,
        acked,
        failed: s.failed - before.failed,
        skipped: s.skipped - before.skipped,
        samples,
        ackedPerSecond: acked / seconds,
        samplesPerSecond: samples / seconds,
        ackLatencyMs: s.ackLatencyMs,
      };
    })().then((report) => (reported(report), report)));
  const timer = setTimeout(() => void finish(), options.durationMs);
  return { done, stop: finish, stats: () => fleet.stats() };
}
