import { pulseScenario } from './pulse.js';
import { SECOND } from './types.js';

/**
 * The pulse falls to ~36 bpm and stays there (heart block, a beta-blocker overdose); with `--value 44` and a
 * long duration, the deep-sleep pulse of a fit resident, which must not alarm (rule: < 40 bpm for 60 s).
 */
export const bradycardia = pulseScenario({
  name: 'bradycardia',
  summary: 'wristband heart rate falling to ~36 bpm within 20 s, sustained 90 s (vitals rule: < 40 bpm for 60 s)',
  target: 36,
  rampMs: 20 * SECOND,
  sd: 1,
});
