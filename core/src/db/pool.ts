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

const ignore = () => {};

/**
 * Checks a client out of the pool for a multi-statement unit of work. pg-pool listens for errors only on
 * idle clients; a checked-out client whose server goes away (a PostgreSQL restart) would emit an
 * unhandled 'error' and crash the process. The failure reaches the caller through its next query anyway.
 */
export async function checkout<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  client.on('error', ignore);
  let failure: Error | undefined;
  try {
    return await work(client);
  } catch (err) {
    failure = err as Error;
    throw err;
  } finally {
    client.off('error', ignore);
    // A client that failed is discarded rather than returned to the pool: it may be mid-transaction or dead.
    client.release(failure);
  }
}

/** Runs `work` in a transaction on a checked-out client: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(ignore);
    throw err;
  }
}
