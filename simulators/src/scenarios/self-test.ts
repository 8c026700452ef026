import { SECOND, type Scenario } from './types.js';

/**
 * The monthly self-test a detector or monitor runs (or a caretaker presses its test button): a `test` event,
 * the alarm sounding for a few seconds, then `clear`. Not a fire, not a gas leak, not an insulation fault.
 */
export const selfTest: Scenario = {
  name: 'self-test',
  summary: 'hazard detector self-test: `test` event, then `clear` 8 s later',
  kinds: ['smoke', 'gas', 'electrical'],
  steps: () => [
    { at: 0, do: 'event', type: 'test' },
    { at: 8 * SECOND, do: 'event', type: 'clear' },
  ],
};
