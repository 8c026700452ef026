import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { TEST_DB_PREFIX, withDatabase } from './test-database-server.js';

export interface TestDatabase {
  url: string;
  name: string;
  /** A small pool for assertions; closed by drop(). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, cloned from the template the global setup prepared
 * (CREATE DATABASE … TEMPLATE takes well under a second). Call drop() in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = inject('testDatabaseServer');
  const name = `${TEST_DB_PREFIX}${server.runPid}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${server.template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(server.adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client that loses its connection (a server restart, a backend killed for memory) makes the pool
  // emit 'error'; unhandled, that would crash the whole test file. The next query reconnects, or fails
  // the test that made it, so the error is reported here and nothing is hidden.
  pool.on('error', (err) => process.stderr.write(`test database ${name}: idle client error: ${err.message}\n`));
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
