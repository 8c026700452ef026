import { readingsEvery } from '../steps.js';
import { MINUTE, type Scenario } from './types.js';

/** Nobody moves in a home-care dwelling for 13 h (a resident collapsed, or gone): motion sensors read 0. */
export const noMotion: Scenario = {
  name: 'no-motion',
  summary: 'motion sensor: no movement for 13 h (inactivity rule: 12 h, raised by day)',
  kinds: ['pir'],
  steps(state, options) {
    const battery = Math.round(state.battery ?? 0);
    return readingsEvery(0, options.durationMs ?? 13 * 60 * MINUTE, 10 * MINUTE, () => ({ motion: 0, battery }));
  },
};
