import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getDwelling, listDwellings } from '@vigil/store';
import type { RouteOptions } from '../http.js';
import { NotFound } from '../errors.js';
import { assertFacility } from '../scope.js';

const dwellingSchema = z.object({
  facility: idSchema,
  id: idSchema,
  name: z.string().nullable(),
  address: z.string(),
  district: z.string(),
  /** How staff get in (key safe, neighbour): for the staff going there. */
  accessNote: z.string().nullable(),
});

export const dwellingRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/dwellings',
    {
      // Addresses and how to get in are for the station's own staff: never for regulators or wall displays.
      config: { action: 'dwellings' },
      schema: {
        tags: ['dwellings'],
        operationId: 'listDwellings',
        summary: 'The dwellings of a home-care station, by district',
        description: 'Each dwelling with its address, district and access note (staff of the station, admin).',
        querystring: z.object({ facility: idSchema }),
        response: { 200: z.object({ dwellings: z.array(dwellingSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      await assertFacility(p, request.query.facility, ctx.directory);
      return { dwellings: await listDwellings(ctx.db, request.query.facility) };
    },
  );

  app.get(
    '/dwellings/:facility/:id',
    {
      config: { action: 'dwellings' },
      schema: {
        tags: ['dwellings'],
        operationId: 'getDwelling',
        summary: 'One dwelling: address, district and how to get in',
        description: '404 when the dwelling or its facility is outside the token’s scope.',
        params: z.object({ facility: idSchema, id: idSchema }),
        response: { 200: dwellingSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, id } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const dwelling = await getDwelling(ctx.db, facility, id);
      if (!dwelling) throw NotFound(`dwelling ${facility}/${id} not found`);
      return dwelling;
    },
  );
};
