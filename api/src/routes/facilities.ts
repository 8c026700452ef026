import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { getFacilityWithCounts, iso, listFacilitiesInScope } from '@vigil/store';
import { NotFound } from '../errors.js';

const facilitySchema = z.object({
  id: idSchema,
  name: z.string(),
  region: idSchema,
  timezone: z.string(),
  createdAt: z.iso.datetime(),
});
const facilityDetailSchema = facilitySchema.extend({
  counts: z.object({
    residents: z.number().int(),
    devices: z.number().int(),
    devicesOnline: z.number().int(),
    openAlerts: z.number().int(),
  }),
});

/** Facilities in the token's scope: one for facility tokens, the region's for regulators, all for admins. */
export const facilityRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/facilities',
    {
      config: { action: 'facilities' },
      schema: {
        tags: ['facilities'],
        operationId: 'listFacilities',
        summary: 'List the facilities in scope',
        description: 'One facility for facility tokens, the region’s for regulators, all for admins.',
        response: { 200: z.object({ facilities: z.array(facilitySchema) }) },
      },
    },
    async (request) => {
      return { facilities: (await listFacilitiesInScope(ctx.db, request.principal)).map(withIsoTime) };
    },
  );

  app.get(
    '/facilities/:facility',
    {
      config: { action: 'facilities' },
      schema: {
        tags: ['facilities'],
        operationId: 'getFacility',
        summary: 'One facility with counts of residents, devices and open alerts',
        description: 'Counts are of active residents and devices and of unresolved alerts.',
        params: z.object({ facility: idSchema }),
        response: { 200: facilityDetailSchema },
      },
    },
    async (request) => {
      const found = await getFacilityWithCounts(ctx.db, request.principal, request.params.facility);
      if (!found) throw NotFound(`facility ${request.params.facility} not found`);
      return { ...withIsoTime(found.facility), counts: found.counts };
    },
  );
};

function withIsoTime<T extends { createdAt: Date }>(row: T) {
  return { ...row, createdAt: iso(row.createdAt) };
}
