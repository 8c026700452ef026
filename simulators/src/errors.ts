import { defineError } from '@vigil/core';

/** The device id is not part of this fleet. */
export const SimUnknownDevice = defineError('VIGIL_ERR_SIM_UNKNOWN_DEVICE', 404);
/** No scenario has that name (see SCENARIO_NAMES). */
export const SimUnknownScenario = defineError('VIGIL_ERR_SIM_UNKNOWN_SCENARIO', 400);
/** The scenario does not apply to the device's kind (a fire on a wristband). */
export const SimScenarioKind = defineError('VIGIL_ERR_SIM_SCENARIO_KIND', 400);
/** Fleet or seeding options out of range (speed ≤ 0, more than 64 samples a batch, an id too long). */
export const SimInvalidOptions = defineError('VIGIL_ERR_SIM_INVALID_OPTIONS', 400);
/** `vigil simulate` without `--scenario` on the facility a running `vigil start` simulates (it would take its devices over). */
export const SimFleetRunning = defineError('VIGIL_ERR_SIM_FLEET_RUNNING', 409);
/** The control endpoint got no token, or the wrong one. */
export const SimControlUnauthorized = defineError('VIGIL_ERR_SIM_CONTROL_UNAUTHORIZED', 401);
/** The control endpoint got a request it does not serve (unknown route, a body that is not JSON). */
export const SimControlRequest = defineError('VIGIL_ERR_SIM_CONTROL_REQUEST', 400);
/** The running `vigil start` stopped answering (it was stopped while the scenario played). */
export const SimControlUnavailable = defineError('VIGIL_ERR_SIM_CONTROL_UNAVAILABLE', 503);
/** The control endpoint failed unexpectedly (details only in the running `vigil start`'s log). */
export const SimControlInternal = defineError('VIGIL_ERR_SIM_CONTROL_INTERNAL', 500);
