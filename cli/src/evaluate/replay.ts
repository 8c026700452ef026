import { DEFAULT_EXPECTED_INTERVAL_S } from '@vigil/store';
import type { AlertEvent } from '@vigil/protocol';
import {
  LIBRARY_FACILITY,
  LIBRARY_LOCATIONS,
  LIBRARY_RESIDENTS,
  LIBRARY_TIMEZONE,
  recordScenario,
  type LabelledScenario,
  worldDevice,
} from '@vigil/simulators';
import { ALERTS_TICK_MS, createReplayEngine, type DeviceContext } from '@vigil/alerts';
import { deliveries, type DeliveryMode } from './delivery.js';

/** After the last message, the wall clock runs on this long (silence rules, late clears). */
const RUN_ON_MS = 60_000;

/**
 * What the engine knows of each of the scenario's devices, as the registry cache builds it (alerts'
 * registry-cache.ts): a worn device is where its resident's room is. Every device was last seen at the start.
 * `facilitySettings`: the facility's overrides (docs/rules.md "Settings and overrides"), none by default.
 */
function deviceContexts(scenario: LabelledScenario, facilitySettings: object): DeviceContext[] {
  const facility = { id: LIBRARY_FACILITY, timezone: LIBRARY_TIMEZONE };
  return scenario.devices.map((id) => {
    const d = worldDevice(id);
    const r = LIBRARY_RESIDENTS.find((x) => x.id === d.resident);
    const place = d.location ?? r?.location;
    return {
      device: {
        id,
        facility: facility.id,
        kind: d.kind,
        resident: r?.id ?? null,
        location: d.location ?? null,
        expectedIntervalS: DEFAULT_EXPECTED_INTERVAL_S[d.kind],
      },
      resident: r ? { ...r, facility: facility.id } : null,
      location: LIBRARY_LOCATIONS.find((l) => l.id === place) ?? null,
      facility,
      facilitySettings,
      residentThresholds: {},
      lastSeenAt: scenario.start,
    };
  });
}

/**
 * Plays a scenario through the real engine in event time: the fake wall clock jumps from message to message,
 * and the engine ticks every second of it in between, as the service's interval timer does.
 */
export async function replay(
  scenario: LabelledScenario,
  mode: DeliveryMode,
  seed: string,
  facilitySettings: object = {},
): Promise<AlertEvent[]> {
  const end = scenario.start + scenario.durationMs;
  const messages = deliveries(recordScenario(scenario, seed), mode, end, seed);
  const engine = createReplayEngine(deviceContexts(scenario, facilitySettings), scenario.start);
  let nextTick = scenario.start + ALERTS_TICK_MS;
  const runUntil = (ms: number) => {
    for (; nextTick <= ms; nextTick += ALERTS_TICK_MS) {
      engine.clock.set(nextTick);
      engine.tick();
    }
  };
  for (const message of messages) {
    runUntil(message.at);
    engine.clock.set(message.at);
    await engine.handleMessage(message.topic, message.payload);
  }
  runUntil(Math.max(end, (messages.at(-1)?.at ?? end) + RUN_ON_MS));
  return engine.events();
}
