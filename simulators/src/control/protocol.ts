import { z } from 'zod';

/**
 * The control endpoint of a running `vigil start --simulate`: loopback HTTP, a bearer token from the control file,
 * JSON bodies validated here (docs/simulators.md "Playing a scenario on a running fleet").
 */
export const playRequestSchema = z.strictObject({
  scenario: z.string().min(1),
  /** Full id or without the facility prefix; default the first device the scenario fits that is idle. */
  device: z.string().min(1).optional(),
  durationMs: z.number().int().nonnegative().optional(),
  value: z.number().optional(),
  speed: z.number().positive().max(1000).optional(),
});
export type PlayRequest = z.infer<typeof playRequestSchema>;

/** What a played scenario did (the answer to a play request, and `fleet.inject`'s result). */
export const scenarioRunSchema = z.object({
  device: z.string(),
  scenario: z.string(),
  /** Messages the scenario published (0 for a cancelled one that had not begun). */
  messages: z.number().int().nonnegative(),
  speed: z.number(),
  startTs: z.number(),
  endTs: z.number(),
  /** Replaced by a later scenario on the same device, or the fleet closed. */
  cancelled: z.boolean(),
});
export type ScenarioRun = z.infer<typeof scenarioRunSchema>;

export const fleetInfoSchema = z.object({ facility: z.string(), devices: z.number().int().nonnegative() });

export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The control file: where the endpoint listens and its token, readable only by the user who started it. */
export const controlFileSchema = z.object({
  url: z.url(),
  token: z.string().min(32),
  pid: z.number().int().positive(),
  facility: z.string(),
});
export type ControlFile = z.infer<typeof controlFileSchema>;

export const CONTROL_ROUTES = { fleet: '/v1/fleet', scenarios: '/v1/scenarios' } as const;
