import { hashPassword, verifySecret } from '@vigil/core';
import { recordAccess, userCredentials, type UserRecord } from '@vigil/store';
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
  // The username is what was typed: it may name no user, so the entry has a facility only when the user exists.
  const audit = (reason: string, facility: string | null) =>
    recordAccess(ctx.db, {
      actor: username,
      action,
      target: `user:${username}`,
      facility,
      details: { address, reason },
    });
  const fail = async (reason: string, facility: string | null = null) => {
    await ctx.lockout.failed(username, address, reason);
    await audit(reason, facility);
  };
  if (retryAfterS > 0) {
    await audit('locked', null);
    reply.header('retry-after', String(retryAfterS));
    throw LockedOut(`too many failed sign-ins: try again in ${retryAfterS} s`);
  }
  const found = await userCredentials(ctx.db, username);
  const hash = found?.passwordHash ?? (await (decoy ??= hashPassword('decoy password, never set')));
  const matches = await verifySecret(hash, password);
  if (!found || !found.passwordHash || !matches) {
    const reason = !found ? 'unknown user' : !found.passwordHash ? 'no password set' : 'wrong password';
    await fail(reason, found?.user.facility ?? null);
    return null;
  }
  if (found.user.disabledAt) {
    await fail('disabled', found.user.facility);
    return null;
  }
  await ctx.lockout.succeeded(username);
  return found.user;
}
