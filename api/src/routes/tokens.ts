import { createToken, getToken, getUser, listTokens, revokeToken, tokenInputSchema } from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allowAccounts, assertManages, assertMayCreate, tokenViewSchema, tokenView } from '../auth/accounts.js';
import { NotFound, Validation } from '../errors.js';
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { forgetTokens } from './auth.js';

/** At most this far ahead; a wall display gets a new token once a year. */
const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 3600_000;

const createBody = z.object({
  role: z.enum(['caregiver', 'safety-officer', 'regulator', 'admin', 'display']),
  facility: z.string().optional(),
  region: z.string().optional(),
  user: z.string().optional(),
  label: z.string().max(200).optional(),
  expiresAt: z.iso.datetime({ offset: true }).describe('required: every token made through the api expires'),
});

/** Bearer tokens for programs and wall displays: create with an expiry, list, revoke. */
export const tokenRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/tokens',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        description:
          'Tokens and sessions in scope (admins: all; safety officers: their facility’s), newest first; never the ' +
          'token values.',
        querystring: z.object({ user: z.string().optional(), revoked: z.stringbool().default(false) }),
        response: { 200: z.object({ tokens: z.array(tokenViewSchema) }) },
      },
    },
    async (request) => {
      allowAccounts(request.principal);
      const { user, revoked } = request.query;
      const tokens = await listTokens(ctx.db, request.principal, { user, includeRevoked: revoked });
      return { tokens: tokens.map(tokenView) };
    },
  );

  app.post(
    '/tokens',
    {
      config: { action: 'accounts' },
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        description:
          'Creates a bearer token (shown once) with an expiry of at most a year. Safety officers create caregiver, ' +
          'officer and display tokens of their own facility.',
        body: createBody,
        response: { 201: z.object({ token: z.string(), id: z.string(), expiresAt: z.string() }) },
      },
    },
    async (request, reply) => {
      const { principal, body } = request;
      assertMayCreate(principal, { role: body.role, facility: body.facility ?? null });
      if (body.user) {
        const user = await getUser(ctx.db, body.user);
        if (!user) throw NotFound(`user ${body.user} not found`);
        assertManages(principal, user, `user ${body.user}`);
      }
      const expiresAt = new Date(body.expiresAt);
      const now = ctx.clock.now();
      if (expiresAt.getTime() <= now || expiresAt.getTime() - now > MAX_TOKEN_LIFETIME_MS) {
        throw Validation('body/expiresAt: must be in the future and at most a year ahead');
      }
      const input = { ...body, expiresAt, createdBy: principal.actor };
      const parsed = tokenInputSchema.safeParse(input);
      if (!parsed.success) throw Validation(`body: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      const what = (token: { id: string }) => ({
        action: 'token.created',
        target: `token:${token.id}`,
        facility: body.facility ?? null,
        details: { role: body.role, user: body.user ?? null, expiresAt: body.expiresAt },
      });
      const created = await change(ctx, principal, what, (tx) => createToken(tx, input));
      return reply.status(201).send({ token: created.token, id: created.id, expiresAt: expiresAt.toISOString() });
    },
  );

  app.delete(
    '/tokens/:tokenId',
    {
      config: { action: 'session' },
      schema: {
        operationId: 'revokeToken',
        tags: ['tokens'],
        description:
          'Revokes a token or session: refused at once, its open streams close. Anyone may revoke their own; ' +
          'admins and safety officers (their facility’s) any other.',
        params: z.object({ tokenId: z.uuid() }),
        response: { 200: tokenViewSchema },
      },
    },
    async (request) => {
      const { principal } = request;
      const token = await getToken(ctx.db, request.params.tokenId);
      if (!token) throw NotFound(`token ${request.params.tokenId} not found`);
      if (token.user !== principal.user || !principal.user) assertManages(principal, token, `token ${token.id}`);
      const what = { action: 'token.revoked', target: `token:${token.id}`, facility: token.facility };
      await change(ctx, principal, what, (tx) => revokeToken(tx, token.id, new Date(ctx.clock.now())));
      forgetTokens(ctx, [token.id]);
      return tokenView((await getToken(ctx.db, token.id))!);
    },
  );
};
