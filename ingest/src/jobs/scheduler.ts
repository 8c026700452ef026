import type { Clock, Logger, Pool } from '@vigil/core';
import cron, { type ScheduledTask } from 'node-cron';
import { IngestJobFailed } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';
import { runRetention, runRollups, type RetentionResult, type RollupResult } from '@vigil/store';

export type JobName = 'rollups' | 'retention';
export interface JobResults {
  rollups: RollupResult;
  retention: RetentionResult;
}

export interface JobsOptions {
  pool: Pool;
  clock: Clock;
  log: Logger;
  metrics: IngestMetrics;
  retentionDays: number;
  /** Schedule the jobs with node-cron; without it they run only when `run()` is called. */
  cron: boolean;
  rollupCron: string;
  retentionCron: string;
}

export interface Jobs {
  run<N extends JobName>(name: N): Promise<JobResults[N]>;
  stop(): Promise<void>;
}

/**
 * The scheduled jobs: each run is logged and measured, a run never overlaps another run of the same job
 * in this process (and an advisory lock covers other processes), and a failed run is retried at the next
 * tick rather than crashing the service.
 */
export function createJobs(o: JobsOptions): Jobs {
  const log = o.log.child({ module: 'jobs' });
  const running = new Map<JobName, Promise<unknown>>();
  const bodies: { [N in JobName]: () => Promise<JobResults[N]> } = {
    rollups: () => runRollups(o.pool, o.clock),
    retention: () => runRetention(o.pool, o.clock, o.retentionDays),
  };

  async function execute<N extends JobName>(name: N): Promise<JobResults[N]> {
    const timer = o.metrics.jobSeconds.startTimer({ job: name });
    try {
      const result = await bodies[name]();
      o.metrics.jobRuns.inc({ job: name, outcome: result.skipped ? 'skipped' : 'ok' });
      const fields: object = { job: name, ...result };
      log.info(fields, result.skipped ? 'job skipped: running elsewhere' : 'job done');
      return result;
    } catch (err) {
      o.metrics.jobRuns.inc({ job: name, outcome: 'failed' });
      log.error({ job: name, err }, 'job failed');
      throw IngestJobFailed(`${name} job failed: ${(err as Error).message}`, err);
    } finally {
      timer();
    }
  }

  function run<N extends JobName>(name: N): Promise<JobResults[N]> {
    const current = running.get(name);
    if (current) return current as Promise<JobResults[N]>;
    const next = execute(name).finally(() => running.delete(name));
    running.set(name, next);
    return next;
  }

  const cronLogger = {
    info: (msg: string) => log.debug(msg),
    warn: (msg: string) => log.warn(msg),
    error: (msg: string | Error) => log.error({ err: msg }, 'cron'),
    debug: (msg: string | Error) => log.debug({ msg: String(msg) }, 'cron'),
  };
  const tasks: ScheduledTask[] = [];
  if (o.cron) {
    for (const [name, expression] of [
      ['rollups', o.rollupCron],
      ['retention', o.retentionCron],
    ] as const) {
      const task = cron.schedule(expression, () => run(name).catch(() => {}), {
        name: `ingest-${name}`,
        noOverlap: true,
        logger: cronLogger,
      });
      tasks.push(task);
    }
  }

  return {
    run,
    async stop() {
      for (const task of tasks) await task.destroy();
      await Promise.allSettled(running.values());
    },
  };
}
