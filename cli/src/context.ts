import { createLogger, createPool, migrate, startCluster, type Logger, type Pool } from '@vigil/core';

/** The CLI's logger writes to stderr so that `--json` output on stdout stays machine-readable. */
export function cliLogger(level = process.env.VIGIL_LOG_LEVEL ?? 'warn'): Logger {
  return createLogger({ level, name: 'vigil-cli', destination: 2 });
}

/** `DATABASE_URL`, or else the local cluster (started if needed). */
export async function resolveDatabaseUrl(log: Logger): Promise<string> {
  return process.env.DATABASE_URL ?? (await startCluster(log));
}

/** Runs `fn` with a migrated database pool and closes it afterwards. */
export async function withDatabase<T>(fn: (db: Pool, log: Logger) => Promise<T>): Promise<T> {
  const log = cliLogger();
  const url = await resolveDatabaseUrl(log);
  await migrate(url, log);
  const pool = createPool(url, log, { max: 2 });
  try {
    return await fn(pool, log);
  } finally {
    await pool.end();
  }
}

/** Prints a result: JSON with `--json`, else a readable line. */
export function output(json: boolean, value: unknown, text: string): void {
  console.log(json ? JSON.stringify(value) : text);
}
