import type { Queryable } from '@vigil/core';

/** Failed sign-ins counted in a window, per username and per address, with the times the lockout needs. */
export interface FailureCounts {
  /** Times of the username's failures since `since` (and since its last success), oldest first. */
  username: Date[];
  /** Times of the address's failures since `since`, oldest first. */
  address: Date[];
}

/** Records one failed sign-in and forgets failures older than `forgetBefore`. */
export async function recordLoginFailure(
  db: Queryable,
  failure: { username: string; address: string; at: Date },
  forgetBefore: Date,
): Promise<void> {
  await db.query(
    `WITH forgotten AS (DELETE FROM login_failures WHERE at < $4)
     INSERT INTO login_failures (at, username, address) VALUES ($1, $2, $3)`,
    [failure.at, failure.username, failure.address, forgetBefore],
  );
}

/** The failures of a username and of an address since `since`. */
export async function loginFailures(
  db: Queryable,
  key: { username: string; address: string },
  since: Date,
): Promise<FailureCounts> {
  const { rows } = await db.query(
    `SELECT coalesce(array_agg(at ORDER BY at) FILTER (WHERE username = $1 AND NOT cleared), '{}') AS username,
            coalesce(array_agg(at ORDER BY at) FILTER (WHERE address = $2), '{}') AS address
     FROM login_failures WHERE at >= $3 AND (username = $1 OR address = $2)`,
    [key.username, key.address, since],
  );
  return rows[0];
}

/** A successful sign-in clears the username's failures (they stay counted for their addresses). */
export async function clearLoginFailures(db: Queryable, username: string): Promise<void> {
  await db.query('UPDATE login_failures SET cleared = true WHERE username = $1 AND NOT cleared', [username]);
}
