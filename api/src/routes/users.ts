import { idSchema } from '@vigil/protocol';
import {
  addUser,
  disableUser,
  enableUser,
  getUser,
  listUsers,
  passwordSchema,
  RegistryConflict,
  revokeUserTokens,
  setUserPassword,
  setUserRole,
  userInputSchema,
  type Principal,
  type UserRecord,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allowAccounts, assertManages, assertMayCreate, userView, userViewSchema } from '../auth/accounts.js';
import { NotFound } from '../errors.js';
import { change } from '../audit.js';
import type { ApiContext, RouteOptions } from '../http.js';
import { forgetTokens } from './auth.js';

const userParams = z.object({ user: idSchema });

/** The user, when the principal may manage it (404 when unknown or in another facility, 403 for its role). */
async function managedUser(ctx: ApiContext, principal: Principal, id: string): Promise<UserRecord> {
  const user = await getUser(ctx.db, id);
  if (!user) throw NotFound(`user ${id} not found`);
  assertManages(principal, user, `user ${id}`);
  return user;
}

/** Users: list, create with a password, disable and enable, change the role, reset a password (docs/api.md "Sign-in, sessions and tokens"). */
export const userRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/users',
    {
      config: { action: 'accounts' },
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
    '/users/:user',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'getUser',
        tags: ['users'],
        description: 'One user.',
        params: userParams,
        response: { 200: userViewSchema },
      },
    },
    async (request) => userView(await managedUser(ctx, request.principal, request.params.user)),
  );

  app.post(
    '/users',
    {
      config: { action: 'accounts' },
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
      const what = {
        action: 'user.created',
        target: `user:${body.id}`,
        facility: body.facility ?? null,
        details: { role: body.role, region: body.region ?? null, withPassword: body.password !== undefined },
      };
      const user = await change(ctx, principal, what, (tx) => addUser(tx, body));
      return reply.status(201).send(userView(user));
    },
  );

  app.post(
    '/users/:user/disable',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'disableUser',
        tags: ['users'],
        description: 'Disables a user: every token and session of theirs is refused at once, open streams close.',
        params: userParams,
        response: { 200: userViewSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const user = await managedUser(ctx, principal, request.params.user);
      const what = { action: 'user.disabled', target: `user:${user.id}`, facility: user.facility };
      await change(ctx, principal, what, (tx) => disableUser(tx, user.id, new Date(ctx.clock.now())));
      ctx.tokens.forget((p) => p.user === user.id);
      return userView((await getUser(ctx.db, user.id))!);
    },
  );

  app.post(
    '/users/:user/enable',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'enableUser',
        tags: ['users'],
        description:
          'Enables a disabled user again. Every token and session they held before is revoked: they sign in afresh. ' +
          'A user who is not disabled is 409.',
        params: userParams,
        response: { 200: userViewSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const user = await managedUser(ctx, principal, request.params.user);
      const what = { action: 'user.enabled', target: `user:${user.id}`, facility: user.facility };
      const revoked = await change(ctx, principal, what, async (tx) => {
        const ids = await enableUser(tx, user.id, new Date(ctx.clock.now()));
        if (!ids) throw RegistryConflict(`user ${user.id} is not disabled`);
        return ids;
      });
      forgetTokens(ctx, revoked);
      return userView((await getUser(ctx.db, user.id))!);
    },
  );

  app.put(
    '/users/:user/role',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'setUserRole',
        tags: ['users'],
        description:
          'Changes a caregiver into a safety officer or back (admins; safety officers within their facility). Tokens ' +
          'carry the role they were issued with, so all of the user’s are revoked.',
        params: userParams,
        body: z.object({ role: z.enum(['caregiver', 'safety-officer']) }),
        response: { 200: userViewSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const { role } = request.body;
      const user = await managedUser(ctx, principal, request.params.user);
      assertMayCreate(principal, { role, facility: user.facility });
      const what = { action: 'user.role_changed', target: `user:${user.id}`, facility: user.facility };
      const revoked = await change(ctx, principal, { ...what, details: { from: user.role, to: role } }, async (tx) => {
        return (await setUserRole(tx, user.id, role, new Date(ctx.clock.now()))) ?? [];
      });
      forgetTokens(ctx, revoked);
      return userView((await getUser(ctx.db, user.id))!);
    },
  );

  app.post(
    '/users/:user/password',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'resetUserPassword',
        tags: ['users'],
        description: 'Sets a new password for a user (admins; safety officers within their facility); signs them out.',
        params: userParams,
        body: z.object({ password: passwordSchema }),
        response: { 200: z.object({ signedOut: z.number().int().describe('sessions revoked') }) },
      },
    },
    async (request) => {
      const { principal } = request;
      const user = await managedUser(ctx, principal, request.params.user);
      const at = new Date(ctx.clock.now());
      const what = { action: 'auth.password_reset', target: `user:${user.id}`, facility: user.facility };
      const revoked = await change(ctx, principal, what, async (tx) => {
        await setUserPassword(tx, user.id, request.body.password, at);
        return revokeUserTokens(tx, user.id, at, { sessionsOnly: true });
      });
      forgetTokens(ctx, revoked);
      return { signedOut: revoked.length };
    },
  );
};
