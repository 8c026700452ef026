import { DEFAULT_EXPECTED_INTERVAL_S } from '@vigil/core';
import type { AlertEvent } from '@vigil/protocol';
import {
  LIBRARY_DEVICES,
  LIBRARY_FACILITY,
  LIBRARY_LOCATIONS,
  LIBRARY_RESIDENTS,
  LIBRARY_TIMEZONE,
  recordScenario,
  type LabelledScenario,
} from '@vigil/simulators';
import { ALERTS_TICK_MS, createReplayEngine, type RegistryRows } from './engine.js';
import { deliveries, type DeliveryMode } from './delivery.js';

/** After the last message, the wall clock runs on this long (silence rules, late clears). */
const RUN_ON_MS = 60_000;

/** The library's facility as registry rows, with only the scenario's devices registered (seen at its start). */
function registryRows(scenario: LabelledScenario): RegistryRows {
  const f = LIBRARY_FACILITY;
  return {
    facilities: [{ id: f, timezone: LIBRARY_TIMEZONE, settings: {} }],
    locations: LIBRARY_LOCATIONS.map((l) => ({ facility_id: f, id: l.id, kind: l.kind })),
    residents: LIBRARY_RESIDENTS.map((r) => ({
      facility_id: f,
      id: r.id,
      care_level: r.careLevel,
      fall_risk: r.fallRisk,
      wander_risk: r.wanderRisk,
      location_id: r.location,
      thresholds: {},
    })),
    devices: LIBRARY_DEVICES.filter((d) => scenario.devices.includes(d.id)).map((d) => ({
      id: d.id,
      facility_id: f,
      kind: d.kind,
      resident_id: d.resident ?? null,
      location_id: d.location ?? null,
      expected_interval_s: DEFAULT_EXPECTED_INTERVAL_S[d.kind],
      last_seen_at: new Date(scenario.start),
    })),
  };
}

/**
 * Plays a scenario through the real engine in event time: the fake wall clock jumps from message to message,
 * and the engine ticks every second of it in between, as the service's interval timer does.
 */
export async function replay(scenario: LabelledScenario, mode: DeliveryMode, seed: string): Promise<AlertEvent[]> {
  const end = scenario.start + scenario.durationMs;
  const messages = deliveries(recordScenario(scenario, seed), mode, end, seed);
  const engine = await createReplayEngine(registryRows(scenario), scenario.start);
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
