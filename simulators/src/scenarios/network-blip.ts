import { SECOND, type Scenario } from './types.js';

/**
 * The radio link drops for a few seconds (Wi-Fi roaming, a gateway restart) without the broker noticing: no
 * Last Will, nothing sent meanwhile, then the device resends its status.
 */
export const networkBlip: Scenario = {
  name: 'network-blip',
  summary: 'link lost for ~10 s without a Last Will (roaming, a gateway restart); status again when back',
  kinds: ['wristband', 'bedmat', 'smoke', 'gas', 'electrical', 'door', 'pir', 'button'],
  steps: (_state, options) => [{ at: options.durationMs ?? 10 * SECOND, do: 'reconnect' }],
};
