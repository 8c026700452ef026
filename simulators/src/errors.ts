import { defineError } from '@vigil/core';

/** The device id is not part of this fleet. */
export const SimUnknownDevice = defineError('VIGIL_ERR_SIM_UNKNOWN_DEVICE', 404);
/** No scenario has that name (see SCENARIO_NAMES). */
export const SimUnknownScenario = defineError('VIGIL_ERR_SIM_UNKNOWN_SCENARIO', 400);
/** The scenario does not apply to the device's kind (a fire on a wristband). */
export const SimScenarioKind = defineError('VIGIL_ERR_SIM_SCENARIO_KIND', 400);
/** Fleet or seeding options out of range (speed ≤ 0, more than 64 samples a batch, an id too long). */
export const SimInvalidOptions = defineError('VIGIL_ERR_SIM_INVALID_OPTIONS', 400);
