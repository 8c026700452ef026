import type { Scenario } from './types.js';
import { SECOND } from './types.js';

/** A resident presses the call button (or the wristband's SOS key). */
export const sos: Scenario = {
  name: 'sos',
  summary: 'call button or wristband SOS press',
  kinds: ['button', 'wristband'],
  steps: () => [{ at: 0, do: 'event', type: 'sos' }],
};

/** Pressed by mistake and cancelled: the sos rule downgrades an SOS cancelled within 30 s. */
export const sosCancel: Scenario = {
  name: 'sos-cancel',
  summary: 'call button SOS, cancelled on the button after 12 s (the sos rule downgrades it)',
  kinds: ['button'],
  steps: (_state, options) => [
    { at: 0, do: 'event', type: 'sos' },
    { at: options.durationMs ?? 12 * SECOND, do: 'event', type: 'cancel' },
  ],
};
