import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { Validation } from '../errors.js';
import { assertFacility } from '../scope.js';
import { readDisplayNames } from '@vigil/store';

const labelsSchema = z.object({
  facility: z.object({ id: idSchema, name: z.string() }),
  residents: z.record(z.string(), z.string().nullable()),
  locations: z.record(z.string(), z.string().nullable()),
});

/**
 * Names for the ids in alerts (residents, locations) of one facility, so that a wall display shows "Anna, room
 * 12" rather than ids. Facility staff and displays only: regulators never see names.
 */
export const displayApi: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/display/labels',
    {
      config: { action: 'labels' },
      schema: {
        tags: ['display'],
        operationId: 'getDisplayLabels',
        summary: "Names of a facility's residents and locations for the wall display",
        description: 'Facility staff and displays only: regulators never see names.',
        querystring: z.object({ facility: idSchema.optional() }),
        response: { 200: labelsSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const facility = request.query.facility ?? p.facility;
      if (!facility) throw Validation('querystring/facility: required for tokens without a facility');
      await assertFacility(p, facility, ctx.directory);
      const names = await readDisplayNames(ctx.db, facility);
      const byId = (rows: { id: string; name: string | null }[]) => Object.fromEntries(rows.map((r) => [r.id, r.name]));
      // assertFacility has made sure the facility exists.
      return { facility: names.facility!, residents: byId(names.residents), locations: byId(names.locations) };
    },
  );

  app.get(
    '/me',
    {
      config: { action: 'session' },
      schema: {
        tags: ['session'],
        operationId: 'getSession',
        summary: 'Who the token speaks for',
        description: 'The role and scope of the bearer token.',
        response: {
          200: z.object({
            role: z.string(),
            facility: z.string().nullable(),
            region: z.string().nullable(),
            actor: z.string(),
          }),
        },
      },
    },
    async (request) => {
      const { role, facility, region, actor } = request.principal;
      return { role, facility, region, actor };
    },
  );
};
