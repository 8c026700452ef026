import { silentLogger, systemClock, type Clock, type Logger } from '@vigil/core';
import { z } from 'zod';
import type { ScenarioRun } from './control/protocol.js';
import { SimInvalidOptions, SimScenarioKind, SimUnknownDevice } from './errors.js';
import { mqttLinkFactory, type DeviceLink, type LinkFactory } from './link.js';
import { MODELS, readingIntervalMs } from './models/index.js';
import { planPlayback, schedulePlayback } from './player.js';
import { createRng } from './random.js';
import { scenarioNamed } from './pick-device.js';
import type { ScenarioOptions } from './scenarios/index.js';
import { createScheduler } from './scheduler.js';
import { SimDevice, type DeviceCredentials, type OutgoingMessage } from './sim-device.js';
import { FleetCounters, type FleetStats } from './stats.js';
import type { Step } from './steps.js';

/** A scenario requested on a device's command topic. */
const commandSchema = z.strictObject({
  simulate: z.string(),
  durationMs: z.number().int().nonnegative().optional(),
  value: z.number().optional(),
});

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}

const numbersSchema = z.object({
  speed: z.number().positive().max(1000).default(1),
  intervalScale: z.number().positive().default(1),
  intervalMs: z.number().positive().optional(),
  batchSamples: z.number().int().min(1).max(64).default(1),
  connectConcurrency: z.number().int().positive().default(25),
  firstReadingWithinMs: z.number().nonnegative().default(5000),
  maxInFlight: z.number().int().positive().default(Number.MAX_SAFE_INTEGER),
});

export interface FleetOptions {
  mqttUrl: string;
  /** PEM CA of an `mqtts://` gateway. */
  ca?: Buffer;
  devices: readonly DeviceCredentials[];
  logger?: Logger;
  /** Device time (`ts`) comes from this clock; timers run on real time. */
  clock?: Clock;
  /** Scenario time-lapse: a timeline unfolds this many times faster than its timestamps (see player.ts). */
  speed?: number;
  /** Multiplies every kind's reading interval: 0.1 sends ten times as often. */
  intervalScale?: number;
  /** One fixed reading interval for every device (load runs); overrides intervalScale. */
  intervalMs?: number;
  /** Wristband samples per reading message (1–64); >1 sends PROTOCOL.md batches of `samples`. */
  batchSamples?: number;
  /** Spontaneous activity (doors opening by day). Default true; load runs turn it off. */
  activity?: boolean;
  /** Seed of every random draw: the same seed replays the same readings. */
  seed?: string | number;
  /** How many devices may be connecting at once (the broker verifies a slow hash per device). */
  connectConcurrency?: number;
  /** Each device's first reading comes within this long after it connects; then at its interval. */
  firstReadingWithinMs?: number;
  /**
   * Unacknowledged publishes the fleet allows; beyond it periodic readings are skipped and counted (like a
   * device whose buffer is full). Load runs set it so a broker that falls behind is measured, not buried.
   */
  maxInFlight?: number;
  keepaliveS?: number;
  reconnectMs?: number;
  /**
   * Devices subscribe to their command topic and play `{"simulate":"<scenario>","durationMs"?,"value"?}`
   * sent there (by a service allowed to publish commands, e.g. the api for a drill). Default false.
   */
  commands?: boolean;
  /** Replaces the MQTT connection per device (tests record messages instead). */
  links?: LinkFactory;
}

/** How a scenario is played: its parameters, plus who asked (logged) and its own time-lapse. */
export interface InjectOptions extends ScenarioOptions {
  /** Replaces the fleet's `speed` for this scenario. */
  speed?: number;
  /** Who asked, for the log: `demo` (the rotation), `control` (`vigil simulate`), `command` (MQTT). */
  origin?: string;
}

export interface Fleet {
  /** Plays a scenario on a device (replacing one still running there); resolves when it has played. */
  inject(deviceId: string, scenario: string, options?: InjectOptions): Promise<ScenarioRun>;
  /** Whether a scenario is playing on the device now. */
  playing(deviceId: string): boolean;
  stats(): FleetStats;
  readonly devices: readonly DeviceCredentials[];
  /** Publishes `{"online":false}` for every connected device, disconnects cleanly, stops every timer. */
  close(): Promise<void>;
}

interface Runtime {
  device: SimDevice;
  link?: DeviceLink;
  started: boolean;
  online: boolean;
  playback?: { cancel: () => void; finish: (cancelled: boolean) => void };
}

/**
 * Starts a fleet of simulated devices, one real MQTT connection each (PROTOCOL.md): connects them a few
 * at a time and resolves once every device has had its first connection attempt (connected or refused).
 * Readings then flow at each kind's interval from one shared timer.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const parsed = numbersSchema.safeParse(options);
  if (!parsed.success) throw SimInvalidOptions(z.prettifyError(parsed.error));
  const o = parsed.data;
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? silentLogger()).child({ module: 'simulator' });
  const counters = new FleetCounters();
  const rng = createRng(`${options.seed ?? 'vigil'}/fleet`);
  const scheduler = createScheduler(clock, (err) => log.error({ err }, 'simulator task failed'));
  const links =
    options.links ??
    mqttLinkFactory({
      url: options.mqttUrl,
      ca: options.ca,
      keepaliveS: options.keepaliveS,
      reconnectMs: options.reconnectMs,
      commands: options.commands,
    });
  const runtimes = new Map<string, Runtime>();
  let closing = false;

  for (const spec of options.devices) {
    if (runtimes.has(spec.id)) throw SimInvalidOptions(`device ${spec.id} is listed twice`);
    const device = new SimDevice(spec, { ts: clock.now(), seed: options.seed, batchSamples: o.batchSamples });
    runtimes.set(spec.id, { device, started: false, online: false });
  }

  function send(rt: Runtime, message: OutgoingMessage): void {
    if (!rt.link || rt.device.offline) return;
    counters.inFlight++;
    counters.published[message.kind]++;
    counters.samples += message.rows;
    log.debug({ deviceId: rt.device.id, topic: message.topic, payload: message.payload }, 'publish');
    const sentAt = performance.now();
    rt.link.publish(message).then(
      () => (counters.inFlight--, counters.recordAck(performance.now() - sentAt)),
      (err: Error) => {
        counters.inFlight--;
        counters.failed++;
        if (!closing) log.debug({ deviceId: rt.device.id, err: err.message }, 'publish failed');
      },
    );
  }

  function intervalOf(rt: Runtime): number {
    return o.intervalMs ?? readingIntervalMs(rt.device.kind) * o.intervalScale;
  }

  /** Periodic readings and spontaneous activity start with the device's first connection. */
  function startSchedules(rt: Runtime): void {
    rt.started = true;
    const interval = intervalOf(rt);
    const first = clock.now() + rng.next() * Math.min(interval, o.firstReadingWithinMs);
    scheduler.every(first, interval, () => {
      if (rt.device.held || rt.device.offline) return;
      if (counters.inFlight >= o.maxInFlight) return void counters.skipped++;
      for (const message of rt.device.tick(clock.now(), interval)) send(rt, message);
    });
    const activity = MODELS[rt.device.kind].activity;
    if (activity && options.activity !== false) {
      scheduler.every(clock.now() + rng.next() * activity.everyMs, activity.everyMs, () => {
        if (rt.device.held || rt.device.offline || rt.playback) return;
        const steps = activity.steps(rt.device.state, clock.now());
        if (steps.length) void play(rt, steps, 1, false, 'activity');
      });
    }
  }

  function runStep(rt: Runtime, step: Step, ts: number): number {
    const { device } = rt;
    switch (step.do) {
      case 'reading':
        return (send(rt, device.reading(step.fields, ts)), 1);
      case 'event': {
        const { at: _at, do: _do, ...body } = step;
        return (send(rt, device.event(body, ts)), 1);
      }
      case 'status':
        return (send(rt, device.status(ts)), 1);
      case 'patch':
        Object.assign(device.state, step.patch);
        return 0;
      case 'drop':
        device.offline = true;
        rt.link?.drop();
        return 0;
      case 'reconnect':
        device.offline = false;
        rt.link?.reconnect();
        return 0;
    }
  }

  function play(rt: Runtime, steps: Step[], speed: number, hold: boolean, name: string): Promise<ScenarioRun> {
    rt.playback?.finish(true);
    const now = clock.now();
    const plan = planPlayback(rt.device, steps, now, speed);
    let messages = 0;
    return new Promise((resolve) => {
      const finish = (cancelled: boolean) => {
        cancel();
        if (rt.playback?.finish === finish) rt.playback = undefined;
        if (hold) rt.device.held = false;
        // A cancelled offline scenario must not leave its device off the network for good.
        if (rt.device.offline && cancelled) {
          rt.device.offline = false;
          if (!closing) rt.link?.reconnect();
        }
        const { speed: used, startTs, endTs } = plan;
        resolve({ device: rt.device.id, scenario: name, messages, speed: used, startTs, endTs, cancelled });
      };
      const cancel = schedulePlayback(
        scheduler,
        steps,
        plan,
        now,
        (step, ts) => void (messages += runStep(rt, step, ts)),
        () => finish(false),
      );
      rt.playback = { cancel, finish };
      if (hold) rt.device.held = true;
    });
  }

  async function inject(deviceId: string, name: string, options: InjectOptions = {}): Promise<ScenarioRun> {
    const rt = runtimes.get(deviceId);
    if (!rt) throw SimUnknownDevice(`device ${deviceId} is not in this fleet`);
    const scenario = scenarioNamed(name);
    if (!scenario.kinds.includes(rt.device.kind))
      throw SimScenarioKind(`${name} applies to ${scenario.kinds.join(', ')}, not ${rt.device.kind}`);
    const { speed, origin, ...scenarioOptions } = options;
    const speedParsed = numbersSchema.shape.speed.safeParse(speed ?? o.speed);
    if (!speedParsed.success) throw SimInvalidOptions(`speed: ${z.prettifyError(speedParsed.error)}`);
    // Names only: the scenario's readings are logged at debug, with every other payload.
    log.info({ deviceId, scenario: name, origin }, 'scenario starts');
    const steps = scenario.steps(rt.device.state, scenarioOptions);
    const run = await play(rt, steps, speedParsed.data, true, name);
    log.info({ deviceId, scenario: name, messages: run.messages, cancelled: run.cancelled }, 'scenario ended');
    return run;
  }

  function connect(rt: Runtime): Promise<void> {
    return new Promise((settle) => {
      const id = rt.device.id;
      rt.link = links(rt.device.spec, {
        connected() {
          if (!rt.online) counters.connected++;
          rt.online = true;
          counters.connects++;
          settle();
          if (!rt.started) startSchedules(rt);
          send(rt, rt.device.status(clock.now()));
        },
        disconnected() {
          settle();
          if (!rt.online) return;
          rt.online = false;
          counters.connected--;
          counters.disconnects++;
        },
        refused(err) {
          counters.refused++;
          log.warn({ deviceId: id, err: err.message }, 'broker refused the device credentials; it stops trying');
          settle();
        },
        error(err) {
          log.debug({ deviceId: id, err: err.message }, 'connection error');
          settle();
        },
        command(payload) {
          const parsed = commandSchema.safeParse(parseJson(payload));
          if (!parsed.success) return log.warn({ deviceId: id }, 'ignored a command that is not a scenario');
          const { simulate, ...scenarioOptions } = parsed.data;
          inject(id, simulate, { ...scenarioOptions, origin: 'command' }).catch((err: Error) =>
            log.warn({ deviceId: id, scenario: simulate, err: err.message }, 'command refused'),
          );
        },
      });
    });
  }

  // Connect a few at a time: each connection costs the broker a slow hash check.
  const queue = [...runtimes.values()];
  await Promise.all(
    Array.from({ length: Math.min(o.connectConcurrency, queue.length) }, async () => {
      for (let rt = queue.shift(); rt; rt = queue.shift()) await connect(rt);
    }),
  );
  log.info({ devices: runtimes.size, connected: counters.connected, refused: counters.refused }, 'fleet started');

  return {
    devices: options.devices,
    inject,
    playing: (deviceId) => runtimes.get(deviceId)?.device.held === true,
    stats: () => ({
      devices: runtimes.size,
      connected: counters.connected,
      refused: counters.refused,
      connects: counters.connects,
      disconnects: counters.disconnects,
      published: { ...counters.published },
      samples: counters.samples,
      acked: counters.acked,
      failed: counters.failed,
      inFlight: counters.inFlight,
      skipped: counters.skipped,
      scenariosRunning: [...runtimes.values()].filter((rt) => rt.playback).length,
      ackLatencyMs: counters.latency(),
    }),
    async close() {
      closing = true;
      scheduler.close();
      for (const rt of runtimes.values()) rt.playback?.finish(true);
      await Promise.all(
        [...runtimes.values()].map(async (rt) => {
          if (rt.link?.connected && !rt.device.offline) send(rt, rt.device.offlineStatus(clock.now()));
          await rt.link?.close();
        }),
      );
      log.info({ published: counters.published, acked: counters.acked }, 'fleet closed');
    },
  };
}
