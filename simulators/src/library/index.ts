import { DANGER } from './danger.js';
import { NORMAL } from './normal.js';
import { NUISANCE } from './nuisance.js';
import type { LabelledScenario } from './types.js';

export * from './types.js';
export { recordScenario, type DeviceRecord } from './record.js';
export {
  DEVICES as LIBRARY_DEVICES,
  LOCATIONS as LIBRARY_LOCATIONS,
  RESIDENTS as LIBRARY_RESIDENTS,
  LIBRARY_FACILITY,
  LIBRARY_TIMEZONE,
  worldDevice,
} from './world.js';

/** The labelled scenario library (docs/simulators.md "Labelled library"): dangerous events, nuisances, normal life. */
export const LIBRARY: readonly LabelledScenario[] = [...DANGER, ...NUISANCE, ...NORMAL];
