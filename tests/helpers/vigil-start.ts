import type { ChildProcess } from 'node:child_process';
import { exited, freePort, spawnVigil, waitFor } from './processes.js';

export interface Started {
  child: ChildProcess;
  output: () => string;
  mqttUrl: string;
  env: NodeJS.ProcessEnv;
}

/** `vigil start <args>` on free MQTT and HTTP ports, at log level info; `env` adds or overrides variables. */
export async function startVigil(args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const mqttPort = await freePort();
  const full = {
    VIGIL_MQTT_PORT: String(mqttPort),
    VIGIL_HTTP_PORT: String(await freePort()),
    VIGIL_LOG_LEVEL: 'info',
    ...env,
  };
  const { child, output } = spawnVigil(['start', ...args], full);
  return { child, output, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, env: full };
}

/** Resolves once `vigil start` says it runs; fails with its output otherwise. */
export async function untilRunning(started: Started, timeoutMs = 90_000): Promise<void> {
  await waitFor('vigil start to run', () => started.output().includes('Vigil is running.'), timeoutMs).catch((err) => {
    throw new Error(`${err.message}\n--- vigil start output ---\n${started.output()}`);
  });
}

/** Ctrl-C, then its exit code (or the code it had already exited with). */
export async function interrupt(started: Started | undefined): Promise<number | null> {
  if (!started || started.child.exitCode !== null) return started?.child.exitCode ?? null;
  started.child.kill('SIGINT');
  return exited(started.child);
}

/** The JSON log lines of a process (its output is not a terminal, so the log is JSON). */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
