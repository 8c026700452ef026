import {
  createToken,
  getUser,
  passwordSchema,
  revokeToken,
  revokeUserTokens,
  setUserPassword,
  audited,
  type Principal,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { userView, userViewSchema } from '../auth/accounts.js';
import { checkOrigin, clearSessionCookie, setSessionCookie } from '../auth/sessions.js';
import { verifyAttempt } from '../auth/passwords.js';
import { InvalidCredentials, NoUser, WrongPassword } from '../errors.js';
import { change } from '../audit.js';
import { errorBodySchema, type ApiContext, type RouteOptions } from '../http.js';

const loginSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  cookie: z
    .boolean()
    .default(true)
    .describe('false: no session cookie, only the token (a caregiver acting briefly at a shared wall display)'),
});
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

/** `POST /api/v1/auth/login`: public, outside the authenticated scope. */
export const loginRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
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
      const entry = (token: { id: string }) => ({
        actor: user.id,
        action: 'auth.login',
        target: `user:${user.id}`,
        facility: user.facility,
        details: { address: request.ip, tokenId: token.id },
      });
      const session = await audited(ctx.db, entry, (tx) =>
        createToken(tx, {
          kind: 'session',
          role: user.role,
          user: user.id,
          facility: user.facility ?? undefined,
          region: user.region ?? undefined,
          label: 'sign-in',
          createdBy: user.id,
          expiresAt,
        }),
      );
      if (request.body.cookie) setSessionCookie(reply, session.token, expiresAt, now, ctx.publicUrl);
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
      config: { action: 'session' },
      schema: {
        operationId: 'logout',
        tags: ['auth'],
        description: 'Revokes the token or session the request was made with and clears the session cookie.',
        response: { 200: z.object({ revoked: z.string().describe('the id of the revoked token') }) },
      },
    },
    async (request, reply) => {
      const { principal } = request;
      const { tokenId } = principal;
      const what = { action: 'auth.logout', target: `token:${tokenId}`, facility: principal.facility };
      await change(ctx, principal, { ...what, details: { address: request.ip } }, (tx) =>
        revokeToken(tx, tokenId, new Date(ctx.clock.now())),
      );
      forgetTokens(ctx, [tokenId]);
      clearSessionCookie(reply, ctx.publicUrl);
      return { revoked: tokenId };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { action: 'session' },
      schema: {
        operationId: 'getSignedInUser',
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
      config: { action: 'session' },
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
      const what = { action: 'auth.password_changed', target: `user:${user.id}`, facility: user.facility };
      const revoked = await change(ctx, principal, { ...what, details: { address: request.ip } }, async (tx) => {
        await setUserPassword(tx, user.id, request.body.newPassword, at);
        return revokeUserTokens(tx, user.id, at, { sessionsOnly: true, keep: principal.tokenId });
      });
      forgetTokens(ctx, revoked);
      return { signedOut: revoked.length };
    },
  );
};
