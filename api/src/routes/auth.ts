import { hashSecret, verifySecret } from '@vigil/core';
import {
  appendAudit,
  createToken,
  getUser,
  passwordSchema,
  revokeToken,
  revokeUserTokens,
  setUserPassword,
  userCredentials,
  type Principal,
} from '@vigil/store';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userView, userViewSchema } from '../auth/accounts.js';
import { checkOrigin, clearSessionCookie, setSessionCookie } from '../auth/sessions.js';
import { InvalidCredentials, LockedOut, NoUser, WrongPassword } from '../errors.js';
import { errorBodySchema, type ApiContext, type RouteOptions } from '../http.js';

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const sessionSchema = z.object({
  token: z.string().describe('a bearer token for programs; the web app uses the cookie instead'),
  expiresAt: z.string(),
  user: userViewSchema,
});
const meSchema = z.object({
  role: z.enum(['caregiver', 'safety-officer', 'regulator', 'admin', 'display']),
  facility: z.string().nullable(),
  region: z.string().nullable(),
  actor: z.string(),
  kind: z.enum(['token', 'session']),
  via: z.enum(['bearer', 'cookie']),
  expiresAt: z.string().nullable(),
  user: userViewSchema.nullable(),
});

/** A hash to verify against when the user is unknown, so that an unknown name takes as long as a wrong password. */
let decoy: Promise<string> | null = null;

/**
 * Refuses a sign-in attempt while its username or address is locked out (429 + Retry-After), else verifies the
 * password; a failure is counted, logged and audited. Returns the user's record on success.
 */
async function verifyAttempt(ctx: ApiContext, reply: FastifyReply, username: string, password: string, action: string) {
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

/** `POST /api/v1/auth/login`: public, outside the authenticated scope. */
export const loginRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        operationId: 'login',
        tags: ['auth'],
        description:
          'Signs in with a username (the user id) and password: a session token and an HttpOnly, SameSite=Strict ' +
          'cookie `vigil_session` (Secure over TLS). Repeated failures answer 429 with Retry-After ' +
          '(docs/api.md "Lockout").',
        security: [],
        body: loginSchema,
        response: { 200: sessionSchema, 429: errorBodySchema.describe('locked out or rate-limited; see Retry-After') },
      },
    },
    async (request, reply) => {
      if (request.headers.origin) checkOrigin(request, ctx.publicUrl);
      const { username, password } = request.body;
      const user = await verifyAttempt(ctx, reply, username, password, 'auth.login_failed');
      if (!user) throw InvalidCredentials('wrong username or password');
      const now = ctx.clock.now();
      const expiresAt = new Date(now + ctx.sessionTtlMs);
      const session = await createToken(ctx.db, {
        kind: 'session',
        role: user.role,
        user: user.id,
        facility: user.facility ?? undefined,
        region: user.region ?? undefined,
        label: 'sign-in',
        createdBy: user.id,
        expiresAt,
      });
      await appendAudit(ctx.db, {
        actor: user.id,
        action: 'auth.login',
        target: user.id,
        details: { address: request.ip, tokenId: session.id },
      });
      setSessionCookie(reply, session.token, expiresAt, now, ctx.publicUrl);
      return { token: session.token, expiresAt: expiresAt.toISOString(), user: userView(user) };
    },
  );
};

/** Forgets revoked tokens in this instance at once (the database notification reaches the others). */
export function forgetTokens(ctx: ApiContext, ids: string[]): void {
  if (ids.length) ctx.tokens.forget((p: Principal) => ids.includes(p.tokenId));
}

/** Sign-out, who am I, and changing one's own password (authenticated). */
export const authRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/auth/logout',
    {
      schema: {
        operationId: 'logout',
        tags: ['auth'],
        description: 'Revokes the token or session the request was made with and clears the session cookie.',
        response: { 200: z.object({ revoked: z.string().describe('the id of the revoked token') }) },
      },
    },
    async (request, reply) => {
      const { tokenId, actor } = request.principal;
      await revokeToken(ctx.db, tokenId, new Date(ctx.clock.now()));
      forgetTokens(ctx, [tokenId]);
      await appendAudit(ctx.db, { actor, action: 'auth.logout', target: tokenId, details: { address: request.ip } });
      clearSessionCookie(reply, ctx.publicUrl);
      return { revoked: tokenId };
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        operationId: 'getSession',
        tags: ['auth'],
        description: 'The signed-in user (null for a display or program token), role, scope and expiry.',
        response: { 200: meSchema },
      },
    },
    async (request) => {
      const { principal, credential } = request;
      const user = principal.user ? await getUser(ctx.db, principal.user) : null;
      return {
        role: principal.role,
        facility: principal.facility,
        region: principal.region,
        actor: principal.actor,
        kind: credential.kind,
        via: credential.via,
        expiresAt: credential.expiresAt ? credential.expiresAt.toISOString() : null,
        user: user ? userView(user) : null,
      };
    },
  );

  app.post(
    '/auth/password',
    {
      schema: {
        operationId: 'changeOwnPassword',
        tags: ['auth'],
        description:
          'Changes the signed-in user’s password, given the current one; their other sessions are signed out. ' +
          'Wrong current passwords count towards the lockout.',
        body: z.object({ oldPassword: z.string().min(1).max(256), newPassword: passwordSchema }),
        response: { 200: z.object({ signedOut: z.number().int().describe('other sessions revoked') }) },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      if (!principal.user) throw NoUser('this token belongs to no user; sign in to change a password');
      const user = await verifyAttempt(
        ctx,
        reply,
        principal.user,
        request.body.oldPassword,
        'auth.password_change_failed',
      );
      if (!user) throw WrongPassword('the current password is wrong');
      const at = new Date(ctx.clock.now());
      await setUserPassword(ctx.db, user.id, request.body.newPassword, at);
      const revoked = await revokeUserTokens(ctx.db, user.id, at, { sessionsOnly: true, keep: principal.tokenId });
      forgetTokens(ctx, revoked);
      await appendAudit(ctx.db, {
        actor: principal.actor,
        action: 'auth.password_changed',
        target: user.id,
        details: { address: request.ip, signedOut: revoked.length },
      });
      return { signedOut: revoked.length };
    },
  );
};
