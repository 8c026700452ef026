import { defineError, type Queryable } from '@vigil/core';

/** The store's error registry (docs/errors.md "Store"). */
export const HistoryQueryInvalid = defineError('VIGIL_ERR_STORE_QUERY_INVALID', 400);
export const RegistryNotFound = defineError('VIGIL_ERR_REGISTRY_NOT_FOUND', 404);
export const RegistryConflict = defineError('VIGIL_ERR_REGISTRY_CONFLICT', 409);
export const RegistryInvalid = defineError('VIGIL_ERR_REGISTRY_INVALID', 400);

/** Turns a PostgreSQL constraint error into a typed registry error; anything else is rethrown as is. */
export function registryError(err: unknown, what: string): never {
  const pgErr = err as { code?: string; detail?: string; constraint?: string };
  if (pgErr.code === '23505') throw RegistryConflict(`${what} already exists`, err);
  if (pgErr.code === '23503')
    throw RegistryNotFound(`${what}: ${pgErr.detail ?? 'a referenced record does not exist'}`, err);
  if (pgErr.code === '23514' || pgErr.code === '22P02')
    throw RegistryInvalid(`${what}: ${pgErr.detail ?? 'invalid value'}`, err);
  throw err;
}

/** Runs a registry INSERT, turning a constraint error into the typed registry error for `what`. */
export async function registryInsert(db: Queryable, what: string, sql: string, values: unknown[]): Promise<void> {
  await db.query(sql, values).catch((err) => registryError(err, what));
}
