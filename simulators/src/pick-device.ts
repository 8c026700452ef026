import { SimScenarioKind, SimUnknownDevice, SimUnknownScenario } from './errors.js';
import { SCENARIOS, type Scenario } from './scenarios/index.js';
import type { DeviceCredentials } from './sim-device.js';

/** The scenario of that name, or VIGIL_ERR_SIM_UNKNOWN_SCENARIO. */
export function scenarioNamed(name: string): Scenario {
  const scenario = SCENARIOS[name];
  if (!scenario) throw SimUnknownScenario(`no scenario ${name} (vigil simulate --help lists them)`);
  return scenario;
}

/** The devices whose kind a scenario applies to. */
export function devicesFitting(devices: readonly DeviceCredentials[], scenario: Scenario): DeviceCredentials[] {
  return devices.filter((d) => scenario.kinds.includes(d.kind));
}

export interface DeviceChoice {
  facility: string;
  scenario: string;
  /** Full id, or without the facility prefix (`wb-002`). */
  device?: string;
  /** A device playing a scenario already is passed over when another one fits. */
  busy?: (deviceId: string) => boolean;
}

/** The device a scenario plays on: the one named, else the first it fits (one not busy if there is one). */
export function pickDevice(devices: readonly DeviceCredentials[], choice: DeviceChoice): DeviceCredentials {
  const scenario = scenarioNamed(choice.scenario);
  if (choice.device) {
    const named = devices.find((d) => d.id === choice.device || d.id === `${choice.facility}-${choice.device}`);
    if (!named) throw SimUnknownDevice(`device ${choice.device} is not a device of facility ${choice.facility}`);
    return named;
  }
  const fitting = devicesFitting(devices, scenario);
  const device = fitting.find((d) => !choice.busy?.(d.id)) ?? fitting[0];
  if (!device) {
    throw SimScenarioKind(`facility ${choice.facility} has no ${scenario.kinds.join('/')} for ${choice.scenario}`);
  }
  return device;
}
