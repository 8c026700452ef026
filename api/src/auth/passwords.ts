import { hashSecret, verifySecret } from '@vigil/core';
import { appendAudit, userCredentials, type UserRecord } from '@vigil/store';
import type { FastifyReply } from 'fastify';
import { LockedOut } from '../errors.js';
import type { ApiContext } from '../http.js';

/** A hash to verify against when the user is unknown, so that an unknown name takes as long as a wrong password. */
let decoy: Promise<string> | null = null;

/**
 * Verifies a password for a sign-in or a password change (docs/api.md "Lockout"): refuses the attempt while its
 * username or address is locked out (429 + Retry-After); a failure is counted, logged and audited. Returns the
 * user's record on success, null on a failure.
 */
export async function verifyAttempt(
  ctx: ApiContext,
  reply: FastifyReply,
  username: string,
  password: string,
  action: string,
): Promise<UserRecord | null> {
  const address = reply.request.ip;
  const retryAfterS = await ctx.lockout.retryAfterS(username, address);
  const fail = async (reason: string) => {
    await ctx.lockout.failed(username, address, reason);
    await appendAudit(ctx.db, { actor: username, action, target: username, details: { address, reason } });
  };
  if (retryAfterS > 0) {
    await appendAudit(ctx.db, { actor: username, action, target: username, details: { address, reason: 'locked' } });
    reply.header('retry-after', String(retryAfterS));
    throw LockedOut(`too many failed sign-ins: try again in ${retryAfterS} s`);
  }
  const found = await userCredentials(ctx.db, username);
  const hash = found?.passwordHash ?? (await (decoy ??= hashSecret('decoy password, never set')));
  const matches = await verifySecret(hash, password);
  if (!found || !found.passwordHash || !matches) {
    await fail(!found ? 'unknown user' : !found.passwordHash ? 'no password set' : 'wrong password');
    return null;
  }
  if (found.user.disabledAt) {
    await fail('disabled');
    return null;
  }
  await ctx.lockout.succeeded(username);
  return found.user;
}
