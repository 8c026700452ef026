import type { Command } from 'commander';
import { z } from 'zod';
import {
  configFromEnv,
  SCENARIOS,
  SCENARIO_NAMES,
  seedDemoFacility,
  SimInvalidOptions,
  SimScenarioKind,
  SimUnknownDevice,
  startFleet,
  timezoneWhereItIsNight,
  type DeviceCredentials,
  type Fleet,
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

/** The device a scenario plays on: the one named, else the first whose kind the scenario fits. */
function pickDevice(devices: readonly DeviceCredentials[], o: SimulateOptions): DeviceCredentials {
  const scenario = SCENARIOS[o.scenario as string]!;
  const named = o.device && devices.find((d) => d.id === o.device || d.id === `${o.facility}-${o.device}`);
  if (o.device && !named) throw SimUnknownDevice(`device ${o.device} is not a device of facility ${o.facility}`);
  const device = named || devices.find((d) => scenario.kinds.includes(d.kind));
  if (!device) throw SimScenarioKind(`facility ${o.facility} has no ${scenario.kinds.join('/')} for ${o.scenario}`);
  return device;
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
  const target = o.scenario ? pickDevice(seeded.devices, o) : undefined;
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
    const run = await fleet.inject(target.id, o.scenario, {
      durationMs: o.duration === undefined ? undefined : o.duration * 1000,
      value: o.value,
    });
    if (!run.cancelled) {
      const lapse = run.speed === 1 ? '' : ` at ×${run.speed.toFixed(1)}`;
      const span = (run.endTs - run.startTs) / 1000;
      console.log(`scenario ${o.scenario} played: ${run.messages} messages over ${span} s of device time${lapse}`);
    }
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
        "Every run rotates the facility's device secrets (they are stored only as hashes), so do not run it\n" +
        'against a facility another simulator (e.g. `vigil start --simulate`) is already simulating.\n\n' +
        'Environment: VIGIL_MQTT_URL (default mqtt://127.0.0.1:$VIGIL_MQTT_PORT, port 1883), DATABASE_URL\n' +
        '(else the local cluster), VIGIL_LOG_LEVEL (default warn; the log goes to stderr).\n\n' +
        'Examples:\n' +
        '  vigil simulate --residents 20\n' +
        '  vigil simulate --scenario fall --device wb-002\n' +
        '  vigil simulate --scenario tachycardia --speed 10 --exit\n' +
        '  vigil simulate --facility night-demo --night --scenario bed-exit --speed 5',
    )
    .action(runSimulate);
}
