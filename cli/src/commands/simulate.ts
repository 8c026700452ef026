import type { Command } from 'commander';
import { z } from 'zod';
import {
  configFromEnv,
  controlFilePath,
  findRunningFleet,
  pickDevice,
  playOnRunningFleet,
  SCENARIOS,
  SCENARIO_NAMES,
  seedDemoFacility,
  SimFleetRunning,
  SimInvalidOptions,
  startFleet,
  timezoneWhereItIsNight,
  type ControlFile,
  type DeviceCredentials,
  type Fleet,
  type ScenarioRun,
} from '@vigil/simulators';
import { cliLogger, withDatabase } from '../context.js';

const optionsSchema = z.object({
  facility: z.string(),
  residents: z.coerce.number().int().min(1).max(10_000),
  speed: z.coerce.number().positive().max(1000),
  intervalScale: z.coerce.number().positive().optional(),
  batch: z.coerce.number().int().min(1).max(64).optional(),
  scenario: z.enum(SCENARIO_NAMES as [string, ...string[]]).optional(),
  device: z.string().optional(),
  duration: z.coerce.number().positive().optional(),
  value: z.coerce.number().optional(),
  exit: z.boolean().optional(),
  night: z.boolean().optional(),
  seed: z.string().optional(),
});
type SimulateOptions = z.infer<typeof optionsSchema>;

const STATS_EVERY_MS = 60_000;

function countByKind(devices: readonly DeviceCredentials[]): string {
  const counts = new Map<string, number>();
  for (const d of devices) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function scenarioOptions(o: SimulateOptions) {
  return { durationMs: o.duration === undefined ? undefined : o.duration * 1000, value: o.value };
}

function printPlayed(run: ScenarioRun): void {
  if (run.cancelled) return void console.log(`scenario ${run.scenario} on ${run.device} was cut short`);
  const lapse = run.speed === 1 ? '' : ` at ×${run.speed.toFixed(1)}`;
  const span = (run.endTs - run.startTs) / 1000;
  console.log(`scenario ${run.scenario} played: ${run.messages} messages over ${span} s of device time${lapse}`);
}

/**
 * The facility is simulated by a running `vigil start`: play the scenario on its fleet through its
 * control endpoint, never connecting its devices a second time (that would take their sessions over).
 */
async function playOnRunning(control: ControlFile, o: SimulateOptions): Promise<void> {
  if (!o.scenario) {
    throw SimFleetRunning(
      `vigil start (pid ${control.pid}) is simulating facility ${o.facility}: add --scenario to play one on its ` +
        'devices, or choose another --facility',
    );
  }
  console.log(`facility "${o.facility}" is simulated by vigil start (pid ${control.pid}): playing on its devices`);
  const run = await playOnRunningFleet(control, {
    scenario: o.scenario,
    device: o.device,
    speed: o.speed,
    ...scenarioOptions(o),
  });
  console.log(`scenario ${o.scenario} on ${run.device}: ${SCENARIOS[o.scenario]!.summary}`);
  printPlayed(run);
}

function printStats(fleet: Fleet): void {
  const s = fleet.stats();
  const sent = s.published.reading + s.published.event + s.published.status;
  console.log(
    `${new Date().toISOString()}  ${s.connected}/${s.devices} online  ${sent} messages sent, ${s.acked} acknowledged` +
      (s.failed ? `, ${s.failed} failed` : ''),
  );
}

async function runSimulate(raw: Record<string, unknown>): Promise<void> {
  const o = optionsSchema.parse(raw);
  if (o.device && !o.scenario) throw SimInvalidOptions('--device needs --scenario');
  const running = await findRunningFleet(await controlFilePath());
  if (running?.facility === o.facility) return playOnRunning(running, o);
  const { mqttUrl } = configFromEnv();
  const log = cliLogger();
  const timezone = o.night ? timezoneWhereItIsNight(Date.now()) : undefined;
  const seeded = await withDatabase((db) =>
    seedDemoFacility(db, { facility: o.facility, residents: o.residents, timezone, logger: log }),
  );
  console.log(
    `facility "${seeded.facility}" (${seeded.timezone}): ${o.residents} residents, ${seeded.devices.length} devices` +
      ` (${countByKind(seeded.devices)}); device secrets rotated`,
  );
  const target = o.scenario ? pickDevice(seeded.devices, { ...o, scenario: o.scenario }) : undefined;
  console.log(`connecting ${seeded.devices.length} devices to ${mqttUrl} …`);
  const fleet = await startFleet({
    mqttUrl,
    devices: seeded.devices,
    logger: log,
    speed: o.speed,
    intervalScale: o.intervalScale,
    batchSamples: o.batch,
    seed: o.seed,
  });
  const { connected, refused, devices } = fleet.stats();
  console.log(`${connected}/${devices} devices online${refused ? `, ${refused} refused (see the log)` : ''}`);

  let stopping: Promise<void> | undefined;
  let stopped = () => undefined as void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = () =>
    (stopping ??= (console.log('stopping …'), fleet.close().then(() => (printStats(fleet), stopped()))));
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  if (target && o.scenario) {
    const speed = o.speed === 1 ? '' : ` (time-lapse ×${o.speed})`;
    console.log(`scenario ${o.scenario} on ${target.id} (${target.kind})${speed}: ${SCENARIOS[o.scenario]!.summary}`);
    const run = await fleet.inject(target.id, o.scenario, scenarioOptions(o));
    printPlayed(run);
    if (o.exit) return stop();
  }
  if (!stopping) console.log('simulating; Ctrl-C stops');
  const timer = setInterval(() => printStats(fleet), STATS_EVERY_MS);
  await done;
  clearInterval(timer);
}

/** `vigil simulate`: a demo facility's devices over real MQTT, optionally playing one scenario. */
export function registerSimulate(program: Command): void {
  const scenarios = SCENARIO_NAMES.map((name) => `  ${name.padEnd(13)} ${SCENARIOS[name]!.summary}`).join('\n');
  program
    .command('simulate')
    .description(
      'seed a demo facility (idempotent) and simulate its devices over real MQTT: realistic readings, optional scenario',
    )
    .option('--facility <id>', 'facility id (device ids are prefixed with it)', 'demo')
    .option('--residents <n>', 'residents to seed (a room, bed mat, wristband … each)', '12')
    .option('--speed <x>', 'scenario time-lapse: a scenario unfolds x times faster than its timestamps', '1')
    .option('--interval-scale <x>', 'multiply every reading interval (0.1 = ten times as often)')
    .option('--batch <n>', 'wristband samples per reading message (1-64, batched uploads)')
    .option('--scenario <name>', `play a scenario once connected: ${SCENARIO_NAMES.join('|')}`)
    .option('--device <id>', 'device for --scenario (full id or without the facility prefix; default: first that fits)')
    .option('--duration <seconds>', 'scenario duration where it has one (e.g. offline, tachycardia)')
    .option('--value <number>', "scenario's main value where it has one (bpm, SpO2 %, CO ppm, mA, battery %)")
    .option('--exit', 'stop once the scenario has played (default: keep simulating until Ctrl-C)')
    .option('--night', 'create a new facility in a time zone where it is night now (bed-exit, wandering rules)')
    .option('--seed <text>', 'random seed: the same seed replays the same readings', 'vigil')
    .addHelpText(
      'after',
      `\nScenarios:\n${scenarios}\n\n` +
        'When a running `vigil start --simulate` simulates the facility, --scenario plays on its devices\n' +
        '(through its control endpoint; --device, --speed, --duration, --value apply) and exits; nothing\n' +
        "else is connected. Otherwise every run rotates the facility's device secrets (they are stored only as\n" +
        'hashes): do not point two `vigil simulate` at one facility.\n\n' +
        'Environment: VIGIL_MQTT_URL (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT, port 1883), DATABASE_URL\n' +
        '(else the local cluster), VIGIL_DATA_DIR (where a running vigil start leaves its control file),\n' +
        'VIGIL_LOG_LEVEL (default warn; the log goes to stderr).\n\n' +
        'Examples:\n' +
        '  vigil simulate --residents 20\n' +
        '  vigil simulate --scenario fall --device wb-002\n' +
        '  vigil simulate --scenario tachycardia --speed 10 --exit\n' +
        '  vigil simulate --facility night-demo --night --scenario bed-exit --speed 5',
    )
    .action(runSimulate);
}
