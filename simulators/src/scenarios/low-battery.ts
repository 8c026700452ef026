import type { Fields } from '../models/index.js';
import type { Scenario } from './types.js';

/** The battery drops to 12 % (a worn cell, a cold night): below the 15 % device rule. It stays low. */
export const lowBattery: Scenario = {
  name: 'low-battery',
  summary: 'battery drops to 12 % (device rule: < 15 %) and stays low; status and a reading report it',
  kinds: ['wristband', 'smoke', 'gas', 'door', 'pir', 'button'],
  steps(state, options) {
    const battery = options.value ?? 12;
    const fields: Fields =
      state.kind === 'wristband'
        ? { worn: state.worn, battery }
        : state.kind === 'smoke'
          ? { smoke: 0.05, temp: 21.5, battery }
          : state.kind === 'door'
            ? { open: state.doorOpen, battery }
            : { battery };
    return [
      { at: 0, do: 'patch', patch: { battery } },
      { at: 0, do: 'status' },
      { at: 0, do: 'reading', fields },
    ];
  },
};
