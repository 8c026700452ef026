import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getDwelling, listDwellings } from '@vigil/store';
import type { RouteOptions } from '../http.js';
import { Forbidden, NotFound } from '../errors.js';
import { allow, assertFacility } from '../scope.js';

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
  // Addresses and how to get in are for the station's own staff: never for regulators or wall displays.
  const allowDwellings = (role: string) => {
    if (role === 'regulator' || role === 'display') throw Forbidden(`a ${role} token may not read dwellings`);
  };

  app.get(
    '/dwellings',
    {
      schema: {
        tags: ['home care'],
        summary: 'The dwellings of a home-care station, by district',
        querystring: z.object({ facility: idSchema }),
        response: { 200: z.object({ dwellings: z.array(dwellingSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'residents');
      allowDwellings(p.role);
      await assertFacility(p, request.query.facility, ctx.directory);
      return { dwellings: await listDwellings(ctx.db, request.query.facility) };
    },
  );

  app.get(
    '/dwellings/:facility/:id',
    {
      schema: {
        tags: ['home care'],
        summary: 'One dwelling: address, district and how to get in',
        params: z.object({ facility: idSchema, id: idSchema }),
        response: { 200: dwellingSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'residents');
      allowDwellings(p.role);
      const { facility, id } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const dwelling = await getDwelling(ctx.db, facility, id);
      if (!dwelling) throw NotFound(`dwelling ${facility}/${id} not found`);
      return dwelling;
    },
  );
};
