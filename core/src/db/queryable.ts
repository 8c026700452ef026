import type pg from 'pg';

/** A pool or a client: registry functions run inside a caller's transaction when given a client. */
export type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;
