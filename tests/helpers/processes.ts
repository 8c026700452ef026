import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Runs the CLI from source, exactly as `npm run vigil -- …` does. */
const CLI = ['--conditions=vigil-source', '--import', 'tsx', `${REPO}cli/src/bin.ts`];

/** A TCP port that was free a moment ago (the OS hands out ports; a clash is very unlikely). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `vigil <args>` to completion, `input` on its stdin; returns stdout, rejects with stderr on a non-zero exit. */
export async function vigil(args: string[], env: NodeJS.ProcessEnv = {}, input = ''): Promise<string> {
  const running = run(process.execPath, [...CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env },
  });
  running.child.stdin!.end(input);
  const { stdout } = await running;
  return stdout;
}

/** Starts a long-running `vigil <args>` (e.g. `start`); collects its output for assertions and debugging. */
export function spawnVigil(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/**
 * Resolves with the exit code once the process has exited and its output is all read: 'close', not
 * 'exit', which can come before the last lines it wrote reach `output()`.
 */
export function exited(child: ChildProcess): Promise<number | null> {
  const reading = [child.stdout, child.stderr].some((s) => s && !s.destroyed);
  if ((child.exitCode !== null || child.signalCode !== null) && !reading) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/** Polls `probe` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** `mosquitto_pub` from Debian's mosquitto-clients: the third-party client of PROTOCOL.md's example. */
export async function mosquittoPub(options: {
  port: number;
  id: string;
  secret: string;
  topic: string;
  message: string;
  /** More mosquitto_pub arguments, e.g. `['-r']` to retain. */
  extra?: string[];
}): Promise<void> {
  await run(
    'mosquitto_pub',
    [
      ...['-h', '127.0.0.1', '-p', String(options.port), '-V', 'mqttv311', '-q', '1'],
      ...['-i', options.id, '-u', options.id, '-P', options.secret],
      ...['-t', options.topic, '-m', options.message, ...(options.extra ?? [])],
    ],
    { timeout: 10_000 },
  );
}
