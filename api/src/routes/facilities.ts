import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import { ruleOverridesSchema } from '@vigil/alerts';
import {
  addFacility,
  facilityInputSchema,
  getFacilityWithCounts,
  iso,
  listFacilitiesInScope,
  updateFacility,
} from '@vigil/store';
import { change } from '../audit.js';
import { NotFound } from '../errors.js';
import { assertFacility } from '../scope.js';

const facilitySchema = z.object({
  id: idSchema,
  name: z.string(),
  region: idSchema,
  timezone: z.string(),
  createdAt: z.iso.datetime(),
});
const facilityParams = z.object({ facility: idSchema });
const facilityPatchSchema = z.strictObject({
  name: facilityInputSchema.shape.name.optional(),
  timezone: facilityInputSchema.shape.timezone.optional(),
  settings: ruleOverridesSchema
    .optional()
    .describe('the facility\'s rule overrides (docs/rules.md "Settings and overrides")'),
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
        params: facilityParams,
        response: { 200: facilityDetailSchema },
      },
    },
    async (request) => {
      const found = await getFacilityWithCounts(ctx.db, request.principal, request.params.facility);
      if (!found) throw NotFound(`facility ${request.params.facility} not found`);
      return { ...withIsoTime(found.facility), counts: found.counts };
    },
  );

  app.post(
    '/facilities',
    {
      config: { action: 'provision' },
      schema: {
        tags: ['facilities'],
        operationId: 'createFacility',
        summary: 'Create a facility (admin)',
        description: '409 when the id is taken.',
        body: facilityInputSchema,
        response: { 201: facilitySchema },
      },
    },
    async (request, reply) => {
      const f = request.body;
      await change(
        ctx,
        request.principal,
        { action: 'facility.create', facility: f.id, target: `facility:${f.id}` },
        (tx) => addFacility(tx, f),
      );
      await ctx.directory.load([f.id]);
      const found = await getFacilityWithCounts(ctx.db, request.principal, f.id);
      return reply.status(201).send(withIsoTime(found!.facility));
    },
  );

  app.patch(
    '/facilities/:facility',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['facilities'],
        operationId: 'updateFacility',
        summary: "Change a facility's name, time zone or rule settings (safety officer, admin)",
        description: "Settings are validated strictly by the rules' override schema; they replace the stored settings.",
        params: facilityParams,
        body: facilityPatchSchema,
        response: { 200: facilitySchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const what = { action: 'facility.update', facility, target: `facility:${facility}`, details: request.body };
      await change(ctx, p, what, (tx) => updateFacility(tx, facility, request.body));
      const found = await getFacilityWithCounts(ctx.db, p, facility);
      return withIsoTime(found!.facility);
    },
  );
};

function withIsoTime<T extends { createdAt: Date }>(row: T) {
  return { ...row, createdAt: iso(row.createdAt) };
}
