import { createLogger, createPool, migrate, startCluster, type Logger, type Pool } from '@vigil/core';

/** What the audit log records as the actor of CLI commands (whoever holds a shell on the server). */
export const CLI_ACTOR = 'cli';

/** The CLI speaks for the operator: every account and token is in its scope. */
export const OPERATOR = {
  tokenId: 'cli',
  role: 'admin',
  facility: null,
  region: null,
  user: null,
  actor: CLI_ACTOR,
} as const;

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

/** Prepares a service run alone: its logger, the database (`DATABASE_URL` or the local cluster), migrations. */
export async function prepareService(name: string): Promise<{ log: Logger; databaseUrl: string }> {
  const log = createLogger({ name });
  const databaseUrl = await resolveDatabaseUrl(log);
  await migrate(databaseUrl, log);
  return { log, databaseUrl };
}

/** Keeps a started service running until SIGINT or SIGTERM, then closes it. */
export async function runUntilSignal(log: Logger, service: { close(): Promise<void> }): Promise<void> {
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'stopping');
  await service.close();
}

/** `--help` epilogue of a service command: its environment variables (plus the log level), then notes. */
export function envHelp(variables: Record<string, string>, notes: string[] = []): string {
  const rows = { ...variables, VIGIL_LOG_LEVEL: 'fatal|error|warn|info|debug|trace|silent (default info)' };
  const width = Math.max(...Object.keys(rows).map((name) => name.length)) + 1;
  const lines = Object.entries(rows).map(([name, meaning]) => `  ${name.padEnd(width)} ${meaning}`);
  return ['', 'Configuration (environment):', ...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
