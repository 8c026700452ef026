import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

/** The project's `migrations/` folder (numbered SQL files). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Applies every pending migration in `migrations/` (node-pg-migrate, one transaction each). */
export async function migrate(databaseUrl: string, log: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    checkOrder: true,
    logger: {
      debug: (msg: string) => log.debug(msg),
      info: (msg: string) => log.debug(msg),
      warn: (msg: string) => log.warn(msg),
      // node-pg-migrate reports our numbered (not timestamped) file names as an error; they are intended.
      error: (msg: string) => (msg.startsWith("Can't determine timestamp") ? log.debug(msg) : log.error(msg)),
    },
  });
  const names = applied.map((migration) => migration.name);
  if (names.length) log.info({ migrations: names }, 'migrations applied');
  return names;
}
