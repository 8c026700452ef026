import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  deleteCoveragePolicy,
  iso,
  listCoveragePolicies,
  putCoveragePolicy,
  type CoveragePolicyRow,
} from '@vigil/store';
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { NotFound } from '../errors.js';
import { assertFacility } from '../scope.js';

const policySchema = z.object({
  facility: idSchema,
  policy: z.record(z.string(), z.unknown()),
  updatedAt: z.iso.datetime(),
});
const params = z.object({ facility: idSchema });
const view = (row: CoveragePolicyRow) => ({ ...row, updatedAt: iso(row.updatedAt) });

/**
 * A facility's coverage policy (which rooms must have which devices; the coverage audit judges against it). The
 * document is stored as given; its schema belongs to the coverage audit (docs/api.md "Coverage policies").
 */
export const coveragePolicyRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/coverage-policies',
    {
      config: { action: 'facilities' },
      schema: {
        tags: ['coverage'],
        operationId: 'listCoveragePolicies',
        summary: 'Coverage policies in scope',
        description: 'One policy per facility at most.',
        querystring: z.object({ facility: idSchema.optional() }),
        response: { 200: z.object({ policies: z.array(policySchema) }) },
      },
    },
    async (request) => {
      const { facility } = request.query;
      if (facility) await assertFacility(request.principal, facility, ctx.directory);
      return { policies: (await listCoveragePolicies(ctx.db, request.principal, facility)).map(view) };
    },
  );

  app.get(
    '/coverage-policies/:facility',
    {
      config: { action: 'facilities' },
      schema: {
        tags: ['coverage'],
        operationId: 'getCoveragePolicy',
        summary: "A facility's coverage policy",
        description: '404 when the facility has none.',
        params,
        response: { 200: policySchema },
      },
    },
    async (request) => {
      const { facility } = request.params;
      await assertFacility(request.principal, facility, ctx.directory);
      const [row] = await listCoveragePolicies(ctx.db, request.principal, facility);
      if (!row) throw NotFound(`coverage policy of ${facility} not found`);
      return view(row);
    },
  );

  app.put(
    '/coverage-policies/:facility',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['coverage'],
        operationId: 'putCoveragePolicy',
        summary: "Create or replace a facility's coverage policy (safety officer, admin)",
        description: 'The body is the policy document.',
        params,
        body: z.record(z.string(), z.unknown()),
        response: { 200: policySchema },
      },
    },
    async (request) => {
      const { facility } = request.params;
      await assertFacility(request.principal, facility, ctx.directory);
      const what = { action: 'coverage-policy.put', facility, target: `coverage-policy:${facility}` };
      return view(await change(ctx, request.principal, what, (tx) => putCoveragePolicy(tx, facility, request.body)));
    },
  );

  app.delete(
    '/coverage-policies/:facility',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['coverage'],
        operationId: 'deleteCoveragePolicy',
        summary: "Delete a facility's coverage policy (safety officer, admin)",
        description: '404 when the facility has none.',
        params,
        response: { 204: z.null().describe('deleted') },
      },
    },
    async (request, reply) => {
      const { facility } = request.params;
      await assertFacility(request.principal, facility, ctx.directory);
      const what = { action: 'coverage-policy.delete', facility, target: `coverage-policy:${facility}` };
      await change(ctx, request.principal, what, (tx) => deleteCoveragePolicy(tx, facility));
      return reply.status(204).send(null);
    },
  );
};
