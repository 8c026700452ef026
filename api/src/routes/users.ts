import { idSchema } from '@vigil/protocol';
import {
  addUser,
  appendAudit,
  disableUser,
  getUser,
  listUsers,
  passwordSchema,
  revokeUserTokens,
  setUserPassword,
  userInputSchema,
  type Principal,
  type UserRecord,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allowAccounts, assertManages, assertMayCreate, userView, userViewSchema } from '../auth/accounts.js';
import { NotFound } from '../errors.js';
import type { ApiContext, RouteOptions } from '../http.js';
import { forgetTokens } from './auth.js';

const idParams = z.object({ id: idSchema });

/** The user, when the principal may manage it (404 when unknown or in another facility, 403 for its role). */
async function managedUser(ctx: ApiContext, principal: Principal, id: string): Promise<UserRecord> {
  const user = await getUser(ctx.db, id);
  if (!user) throw NotFound(`user ${id} not found`);
  assertManages(principal, user, `user ${id}`);
  return user;
}

/** Users: list, create with a password, disable, reset a password (docs/api.md "Sign-in, sessions and tokens"). */
export const userRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/users',
    {
      schema: {
        operationId: 'listUsers',
        tags: ['users'],
        description: 'Users in scope: every user for admins, the own facility’s for safety officers.',
        response: { 200: z.object({ users: z.array(userViewSchema) }) },
      },
    },
    async (request) => {
      allowAccounts(request.principal);
      return { users: (await listUsers(ctx.db, request.principal)).map(userView) };
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        operationId: 'getUser',
        tags: ['users'],
        description: 'One user.',
        params: idParams,
        response: { 200: userViewSchema },
      },
    },
    async (request) => userView(await managedUser(ctx, request.principal, request.params.id)),
  );

  app.post(
    '/users',
    {
      schema: {
        operationId: 'createUser',
        tags: ['users'],
        description:
          'Registers a user; with `password` they can sign in (username = id). Safety officers add caregivers ' +
          'and officers of their own facility only.',
        body: z.intersection(userInputSchema, z.object({ password: passwordSchema.optional() })),
        response: { 201: userViewSchema },
      },
    },
    async (request, reply) => {
      const { principal, body } = request;
      assertMayCreate(principal, { role: body.role, facility: body.facility ?? null });
      const user = await addUser(ctx.db, body);
      await appendAudit(ctx.db, {
        actor: principal.actor,
        action: 'user.created',
        target: user.id,
        details: { role: user.role, facility: user.facility, region: user.region, withPassword: user.hasPassword },
      });
      return reply.status(201).send(userView(user));
    },
  );

  app.post(
    '/users/:id/disable',
    {
      schema: {
        operationId: 'disableUser',
        tags: ['users'],
        description: 'Disables a user: every token and session of theirs is refused at once, open streams close.',
        params: idParams,
        response: { 200: userViewSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const user = await managedUser(ctx, principal, request.params.id);
      await disableUser(ctx.db, user.id, new Date(ctx.clock.now()));
      ctx.tokens.forget((p) => p.user === user.id);
      await appendAudit(ctx.db, { actor: principal.actor, action: 'user.disabled', target: user.id });
      return userView((await getUser(ctx.db, user.id))!);
    },
  );

  app.post(
    '/users/:id/password',
    {
      schema: {
        operationId: 'resetUserPassword',
        tags: ['users'],
        description: 'Sets a new password for a user (admins; safety officers within their facility); signs them out.',
        params: idParams,
        body: z.object({ password: passwordSchema }),
        response: { 200: z.object({ signedOut: z.number().int().describe('sessions revoked') }) },
      },
    },
    async (request) => {
      const { principal } = request;
      const user = await managedUser(ctx, principal, request.params.id);
      const at = new Date(ctx.clock.now());
      await setUserPassword(ctx.db, user.id, request.body.password, at);
      const revoked = await revokeUserTokens(ctx.db, user.id, at, { sessionsOnly: true });
      forgetTokens(ctx, revoked);
      await appendAudit(ctx.db, {
        actor: principal.actor,
        action: 'auth.password_reset',
        target: user.id,
        details: { signedOut: revoked.length },
      });
      return { signedOut: revoked.length };
    },
  );
};
