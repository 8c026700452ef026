import { request } from 'node:http';
import { VigilError } from '@vigil/core';
import type { z } from 'zod';
import { SimControlUnavailable } from '../errors.js';
import { readControlFile } from './file.js';
import {
  CONTROL_ROUTES,
  errorBodySchema,
  fleetInfoSchema,
  scenarioRunSchema,
  type ControlFile,
  type PlayRequest,
  type ScenarioRun,
} from './protocol.js';

/**
 * One request to the control endpoint. node:http rather than fetch: a scenario can play for longer than
 * fetch waits for response headers (an 11-minute bed exit), and the answer comes when it has played.
 */
function call<S extends z.ZodType>(control: ControlFile, path: string, schema: S, body?: unknown): Promise<z.infer<S>> {
  const unavailable = (cause: unknown) =>
    SimControlUnavailable(`the running vigil start (pid ${control.pid}) did not answer at ${control.url}`, cause);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, control.url),
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (err) => reject(unavailable(err)));
        res.on('end', () => {
          try {
            const json: unknown = JSON.parse(text);
            if (res.statusCode === 200) return resolve(schema.parse(json));
            const { error } = errorBodySchema.parse(json);
            reject(new VigilError(error.code, error.message, { status: res.statusCode }));
          } catch (err) {
            reject(unavailable(err));
          }
        });
      },
    );
    req.on('error', (err) => reject(unavailable(err)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The fleet a running `vigil start --simulate` offers in its control file, if that process still answers. */
export async function findRunningFleet(file: string): Promise<ControlFile | undefined> {
  const control = await readControlFile(file);
  if (!control || !processAlive(control.pid)) return undefined;
  try {
    const info = await call(control, CONTROL_ROUTES.fleet, fleetInfoSchema);
    return { ...control, facility: info.facility };
  } catch (err) {
    // A file left by a process that was killed, whose pid has been reused since.
    if (err instanceof VigilError && err.code === 'VIGIL_ERR_SIM_CONTROL_UNAVAILABLE') return undefined;
    throw err;
  }
}

/** Plays a scenario on the running fleet's own devices; resolves once it has played. */
export function playOnRunningFleet(control: ControlFile, play: PlayRequest): Promise<ScenarioRun> {
  return call(control, CONTROL_ROUTES.scenarios, scenarioRunSchema, play);
}
