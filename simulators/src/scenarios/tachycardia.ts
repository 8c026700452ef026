import { pulseScenario } from './pulse.js';
import { SECOND } from './types.js';

/** Sustained tachycardia: the pulse climbs within 15 s and stays above 130 bpm past the rule's 60 s window. */
export const tachycardia = pulseScenario({
  name: 'tachycardia',
  summary: 'wristband heart rate rising to ~142 bpm, sustained 90 s (vitals rule: > 130 bpm for 60 s)',
  target: 142,
  rampMs: 15 * SECOND,
  sd: 2,
});
