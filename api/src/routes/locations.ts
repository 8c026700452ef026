import { idSchema, locationKindSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addLocation, iso, listLocationsInScope, locationInputSchema, updateLocation } from '@vigil/store';
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { assertFacility } from '../scope.js';

const locationSchema = z.object({
  facility: idSchema,
  id: idSchema,
  kind: locationKindSchema,
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
const facilityParams = z.object({ facility: idSchema });
const locationParams = facilityParams.extend({ location: idSchema });

/** Rooms, bathrooms, exits… of a facility: where devices are and where residents live. */
export const locationRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const one = async (facility: string, id: string, principal: Parameters<typeof listLocationsInScope>[1]) => {
    const rows = await listLocationsInScope(ctx.db, principal, facility);
    const row = rows.find((r) => r.id === id)!;
    return { ...row, createdAt: iso(row.createdAt) } as z.infer<typeof locationSchema>;
  };

  app.get(
    '/facilities/:facility/locations',
    {
      config: { action: 'facilities' },
      schema: {
        tags: ['locations'],
        operationId: 'listLocations',
        summary: "A facility's locations",
        description: 'Every location of the facility, by id.',
        params: facilityParams,
        response: { 200: z.object({ locations: z.array(locationSchema) }) },
      },
    },
    async (request) => {
      await assertFacility(request.principal, request.params.facility, ctx.directory);
      const rows = await listLocationsInScope(ctx.db, request.principal, request.params.facility);
      return { locations: rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) }) as z.infer<typeof locationSchema>) };
    },
  );

  app.post(
    '/facilities/:facility/locations',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['locations'],
        operationId: 'createLocation',
        summary: 'Add a location (safety officer, admin)',
        description: '409 when the id is taken in the facility.',
        params: facilityParams,
        body: locationInputSchema.omit({ facility: true }),
        response: { 201: locationSchema },
      },
    },
    async (request, reply) => {
      const { facility } = request.params;
      await assertFacility(request.principal, facility, ctx.directory);
      const input = { ...request.body, facility };
      const what = { action: 'location.create', facility, target: `location:${facility}/${input.id}`, details: input };
      await change(ctx, request.principal, what, (tx) => addLocation(tx, input));
      return reply.status(201).send(await one(facility, input.id, request.principal));
    },
  );

  app.patch(
    '/facilities/:facility/locations/:location',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['locations'],
        operationId: 'updateLocation',
        summary: "Change a location's kind or name (safety officer, admin)",
        description: 'Fields left out are not changed.',
        params: locationParams,
        body: z.strictObject({ kind: locationKindSchema.optional(), name: z.string().max(200).nullable().optional() }),
        response: { 200: locationSchema },
      },
    },
    async (request) => {
      const { facility, location } = request.params;
      await assertFacility(request.principal, facility, ctx.directory);
      const what = {
        action: 'location.update',
        facility,
        target: `location:${facility}/${location}`,
        details: request.body,
      };
      await change(ctx, request.principal, what, (tx) => updateLocation(tx, facility, location, request.body));
      return one(facility, location, request.principal);
    },
  );
};
