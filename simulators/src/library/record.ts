import { drainBattery, initialState, MODELS, readingIntervalMs, type EventBody, type Fields } from '../models/index.js';
import { createRng, round, type Rng } from '../random.js';
import { SCENARIOS } from '../scenarios/index.js';
import type { Step } from '../steps.js';
import type { Episode, LabelledScenario } from './types.js';
import { LIBRARY_TIMEZONE, worldDevice, type WorldDevice } from './world.js';

/** One thing a device (or, for its Last Will, the broker) sent, at device time `ts`, before any batching. */
export type DeviceRecord =
  | { device: string; ts: number; kind: 'reading'; fields: Fields }
  | { device: string; ts: number; kind: 'event'; body: EventBody }
  | { device: string; ts: number; kind: 'status'; online: boolean; battery?: number; will: boolean };

const HOUR = 3_600_000;
/** The broker notices a connection reset about a second later and publishes the Last Will [MQTT-3.1.2-8]. */
const WILL_DELAY_MS = 1_000;
/** A radio link loses a sample now and then. */
const LOST_SAMPLE = 0.005;

/**
 * Records what one device sends during a labelled scenario: its model's periodic readings (intervals drifting
 * a few percent, a sample lost now and then, as recorded devices do), its spontaneous activity, an hourly
 * status, and the scenario's episodes on it, which hold the device while they play (as `fleet.inject` does)
 * up to their last step other than a change of state.
 */
function recordDevice(scenario: LabelledScenario, device: WorldDevice, seed: string): DeviceRecord[] {
  const { start } = scenario;
  const end = start + scenario.durationMs;
  const rng = createRng(`${seed}/${scenario.name}/${device.id}/timing`);
  const state = initialState(device, { timezone: LIBRARY_TIMEZONE, seed: `${seed}/${scenario.name}`, ts: start });
  const model = MODELS[device.kind];
  const interval = readingIntervalMs(device.kind);
  const out: DeviceRecord[] = [];
  let last = start - 1;
  let online = true;
  let statusAt = -Infinity;
  const stamp = (ts: number) => {
    const at = Math.max(Math.round(ts), last + 1);
    drainBattery(state, at - last);
    return (last = at);
  };
  const battery = () => (state.battery === null ? {} : { battery: round(state.battery) });
  const reading = (fields: Fields, ts: number) =>
    online && out.push({ device: device.id, ts: stamp(ts), kind: 'reading', fields });
  const event = (body: EventBody, ts: number) =>
    online && out.push({ device: device.id, ts: stamp(ts), kind: 'event', body });
  const status = (ts: number, up = true, will = false) => {
    const at = stamp(ts);
    if (up) statusAt = at;
    out.push({ device: device.id, ts: at, kind: 'status', online: up, ...(up ? battery() : {}), will });
  };

  // A change of state after an episode's last message (a band put back on) waits while the device reports as usual.
  const deferred: Array<{ ts: number; patch: Extract<Step, { do: 'patch' }>['patch'] }> = [];
  const play = (steps: readonly Step[], base: number): number => {
    const held = steps.reduce((max, step) => (step.do === 'patch' ? max : Math.max(max, step.at)), 0);
    for (const step of [...steps].sort((a, b) => a.at - b.at)) {
      const ts = base + step.at;
      if (step.do === 'patch' && step.at > held) deferred.push({ ts, patch: step.patch });
      else if (step.do === 'reading') reading(step.fields, ts + jitter(rng));
      else if (step.do === 'event')
        event({ type: step.type, ...(step.confidence ? { confidence: step.confidence } : {}) }, ts);
      else if (step.do === 'status') status(ts);
      else if (step.do === 'patch') Object.assign(state, step.patch);
      else if (step.do === 'drop') {
        online = false;
        status(ts + WILL_DELAY_MS, false, true);
      } else {
        online = true;
        status(ts);
      }
    }
    deferred.sort((a, b) => a.ts - b.ts);
    return base + held;
  };

  const episodes: Episode[] = scenario.episodes.filter((e) => e.device === device.id).sort((a, b) => a.atMs - b.atMs);
  status(start);
  let nextReading = start + rng.between(0, interval);
  let nextActivity = model.activity ? start + model.activity.everyMs : Infinity;
  for (;;) {
    const episode = episodes[0];
    const nextEpisode = episode ? start + episode.atMs : Infinity;
    const nextPatch = deferred[0]?.ts ?? Infinity;
    const t = Math.min(nextReading, nextActivity, nextEpisode, nextPatch);
    if (t >= end) break;
    if (t === nextPatch) Object.assign(state, deferred.shift()!.patch);
    else if (t === nextEpisode) {
      episodes.shift();
      const scenarioSteps = SCENARIOS[episode!.scenario]!.steps(state, episode!.options ?? {});
      const over = play(scenarioSteps, t);
      nextReading = Math.max(nextReading, over + rng.between(0.2, 1) * interval);
    } else if (t === nextActivity) {
      nextActivity += model.activity!.everyMs;
      nextReading = Math.max(nextReading, play(model.activity!.steps(state, t), t) + 1);
    } else {
      nextReading += interval * (1 + rng.normal(0, 0.03));
      if (rng.chance(LOST_SAMPLE)) continue;
      const { fields, events } = model.reading(state, t);
      for (const body of events ?? []) event(body, t);
      reading(fields, t);
      if (t - statusAt >= HOUR) status(t);
    }
  }
  return out;
}

/** A scenario step's reading is taken when the sensor gets to it: a few hundred ms either way. */
function jitter(rng: Rng): number {
  return rng.between(-300, 300);
}

/** Everything the scenario's devices send, in device-time order; the same for the same seed. */
export function recordScenario(scenario: LabelledScenario, seed = 'library'): DeviceRecord[] {
  return scenario.devices.flatMap((id) => recordDevice(scenario, worldDevice(id), seed)).sort((a, b) => a.ts - b.ts);
}
