// The parent side of bench/lib-part-child.ts: spawns one part of the system per process and talks to it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./lib-part-child.ts', import.meta.url));
const API_V8_FLAG = '--min-semi-space-size=16';

export type PartRole = 'gateway' | 'ingest' | 'alerts' | 'api' | 'load' | 'bare' | 'counter' | 'http' | 'fastify';

export interface PartHandle {
  role: PartRole;
  /** The child's process id (its CPU time in /proc: bench/lib-fleet.ts `usage`). */
  pid: number;
  ready: Record<string, unknown>;
  /** Sends one command and resolves with the part's answer (commands are answered in order). */
  request<T = Record<string, unknown>>(command: Record<string, unknown>): Promise<T>;
  /** Asks the part to close; kills it when it has not exited within 10 s. */
  close(): Promise<void>;
}

export interface PartStats {
  loopDelayMs: { p50: number; p99: number; max: number };
  cpu: number;
  metrics: { name: string; type: string; values: { value: number; labels: Record<string, string | number> }[] }[];
}

/**
 * Starts `role` in a child process and waits for its ready line. With `cpuProfileDir` the
 * child writes a V8 CPU profile (`<dir>/<role>/*.cpuprofile`) when it exits, for chrome://inspect or speedscope.
 */
export async function spawnPart(role: PartRole, options: unknown, cpuProfileDir?: string): Promise<PartHandle> {
  // One folder per part: the module loader's thread writes a profile of its own next to the main thread's.
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(cpuProfileDir, role)}`] : [];
  // Without the vigil-source condition the services load from dist/, compiled by tsc as `vigil <service>` runs
  // them (`npm run bench` builds first): tsx's transform of the sources adds work of its own on hot paths.
  // The api runs with a fixed young generation, as `vigil` runs it (bin/vigil.js, docs/api.md "Benchmark").
  const v8 = role === 'api' ? [API_V8_FLAG] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...v8, ...profile, CHILD, role], {
    env: { ...process.env, BENCH_PART_OPTIONS: JSON.stringify(options) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`bench part ${role} exited`);
    return JSON.parse(line.value as string);
  };
  let queue: Promise<unknown> = Promise.resolve();
  const { ready } = await next();
  return {
    role,
    pid: child.pid!,
    ready,
    request(command) {
      const reply = queue.then(() => {
        child.stdin!.write(`${JSON.stringify(command)}\n`);
        return next();
      });
      queue = reply.catch(() => undefined);
      return reply;
    },
    async close() {
      if (child.exitCode !== null) return;
      child.stdin!.write(`${JSON.stringify({ cmd: 'close' })}\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A quantile of a prom-client histogram from its cumulative buckets: the upper bound of the bucket it falls in. */
export function histogramQuantile(stats: PartStats, name: string, q: number): number {
  const buckets = stats.metrics
    .find((m) => m.name === name)
    ?.values.filter((v) => v.labels.le !== undefined && (v as { metricName?: string }).metricName?.endsWith('_bucket'));
  if (!buckets?.length) return NaN;
  const total = buckets[buckets.length - 1]!.value;
  if (!total) return NaN;
  const hit = buckets.find((b) => b.value >= q * total)!;
  return hit.labels.le === '+Inf' ? Infinity : Number(hit.labels.le);
}

/** Mean of a prom-client histogram (sum ÷ count). */
export function histogramMean(stats: PartStats, name: string): number {
  const values = stats.metrics.find((m) => m.name === name)?.values ?? [];
  const pick = (suffix: string) =>
    values.find((v) => (v as { metricName?: string }).metricName === `${name}${suffix}`)?.value ?? NaN;
  return pick('_sum') / pick('_count');
}
