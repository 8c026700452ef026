import type { ClassicLevel } from 'classic-level';
import type { Logger } from '@vigil/core';
import type { BatchWriter } from '@vigil/core';
import type { VerifiedStore } from './credentials.js';

const PREFIX = 'vigil-auth:';

/**
 * Verified logins in the gateway's LevelDB (`vigil-auth:<sha256>` → expiry, epoch ms). Expired entries are
 * removed at start-up, so the set stays about the size of the fleet.
 */
export async function openVerifiedStore(
  db: ClassicLevel<string, string>,
  writer: BatchWriter,
  options: { now: number; log: Logger },
): Promise<VerifiedStore> {
  const expired: string[] = [];
  for await (const [key, value] of db.iterator({ gte: PREFIX, lt: 'vigil-auth;' })) {
    if (Number(value) <= options.now) expired.push(key);
  }
  if (expired.length) await writer.write(expired.map((key) => ({ type: 'del', key })));
  return {
    async get(key) {
      const value = await db.get(PREFIX + key);
      return value === undefined ? undefined : Number(value);
    },
    put(key, until) {
      writer
        .write([{ type: 'put', key: PREFIX + key, value: String(until) }])
        .catch((err: unknown) => options.log.warn({ err }, 'could not remember a verified login'));
    },
  };
}
