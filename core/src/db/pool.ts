import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;

/**
 * A pg pool that survives PostgreSQL restarts: idle-client errors (the server going away) are logged,
 * never thrown, and the pool reconnects on the next query.
 */
export function createPool(connectionString: string, log: Logger, options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    application_name: 'vigil',
    ...options,
  });
  pool.on('error', (err) =>
    log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'idle database connection lost'),
  );
  return pool;
}
