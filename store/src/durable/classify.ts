/**
 * The one error classifier of every durable write. `transient`: the database is away, busy or asked us to try
 * again; the same write will succeed later, so it is retried in order and never dropped. `rejected`: the
 * database refused this data (a constraint, a type, a bad value); retrying cannot help, so the write is
 * isolated and dead-lettered (or refused) with the reason.
 */
export type WriteOutcome = 'transient' | 'rejected';

/**
 * SQLSTATEs that mean "try again". Class 08 (connection exception) is matched as a class below.
 * 57P01–57P03: admin shutdown, crash shutdown, cannot connect now (PostgreSQL docs, Appendix A).
 */
const TRANSIENT_SQLSTATES = new Set([
  '57P01', // admin_shutdown (the server is stopping, or pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** Socket-level errors from Node (`err.code`). */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Messages of pg and pg-pool errors that carry no code: a pool checkout timeout ("timeout exceeded when trying
 * to connect"), a connection lost mid-query, the server starting or stopping.
 */
const TRANSIENT_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error|the database system is|Client was closed and is not queryable/i;

/** Classifies a failed database write; unknown errors without a SQLSTATE count as rejected. */
export function classifyDatabaseError(err: unknown): WriteOutcome {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SOCKET_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) {
      return 'transient';
    }
  }
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && TRANSIENT_MESSAGE.test(message) ? 'transient' : 'rejected';
}

/** True when the write should be retried later (see classifyDatabaseError). */
export const isTransientDatabaseError = (err: unknown): boolean => classifyDatabaseError(err) === 'transient';

/** The reason stored with a dead letter or given with a refusal: the database's message and SQLSTATE. */
export function rejectionReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === 'string' ? message : String(err);
  return typeof code === 'string' ? `rejected by the database (${code}): ${text}` : `rejected by the database: ${text}`;
}
