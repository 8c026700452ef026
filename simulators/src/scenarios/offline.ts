import { DEVICE_KINDS } from '@vigil/protocol';
import { MINUTE, type Scenario } from './types.js';

/**
 * The device vanishes without a DISCONNECT (power cut, out of range): the broker publishes its Last Will
 * `{"online":false}` (retained) on its status topic. It comes back after 5 minutes of device time.
 */
export const offline: Scenario = {
  name: 'offline',
  summary: 'connection lost without DISCONNECT (the Last Will fires); back after 5 min',
  kinds: DEVICE_KINDS,
  steps: (_state, options) => [
    { at: 0, do: 'drop' },
    { at: options.durationMs ?? 5 * MINUTE, do: 'reconnect' },
  ],
};
