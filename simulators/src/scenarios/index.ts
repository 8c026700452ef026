import { abnormalBreathing } from './abnormal-breathing.js';
import { bandOff } from './band-off.js';
import { bpSpot } from './bp-spot.js';
import { bradycardia } from './bradycardia.js';
import { cooking } from './cooking.js';
import { leakage } from './leakage.js';
import { lelLeak } from './lel-leak.js';
import { networkBlip } from './network-blip.js';
import { noMotion } from './no-motion.js';
import { noVitals } from './no-vitals.js';
import { restless } from './restless.js';
import { selfTest } from './self-test.js';
import { spo2Artefact } from './spo2-artefact.js';
import { bandRemoved } from './band-removed.js';
import { bedExit } from './bed-exit.js';
import { electrical } from './electrical.js';
import { fall } from './fall.js';
import { fire } from './fire.js';
import { gasLeak } from './gas-leak.js';
import { lowBattery } from './low-battery.js';
import { lowSpo2 } from './low-spo2.js';
import { offline } from './offline.js';
import { sos, sosCancel } from './sos.js';
import { tachycardia } from './tachycardia.js';
import type { Scenario } from './types.js';
import { wandering } from './wandering.js';

export type { Scenario, ScenarioOptions } from './types.js';

/** Every scenario by name (`vigil simulate --scenario NAME`, `fleet.inject(device, NAME)`). */
export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.fromEntries(
  [
    fall,
    sos,
    sosCancel,
    tachycardia,
    lowSpo2,
    bedExit,
    wandering,
    fire,
    gasLeak,
    electrical,
    lowBattery,
    offline,
    bandRemoved,
    abnormalBreathing,
    bandOff,
    bpSpot,
    bradycardia,
    cooking,
    leakage,
    lelLeak,
    networkBlip,
    noMotion,
    noVitals,
    restless,
    selfTest,
    spo2Artefact,
  ].map((s) => [s.name, s]),
);

export const SCENARIO_NAMES = Object.keys(SCENARIOS);
