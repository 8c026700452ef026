import { idSchema } from '@vigil/protocol';
import { facilityShiftSchema, facilityShiftsSchema, listFacilityShifts, replaceFacilityShifts } from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { assertFacility } from '../scope.js';

const params = z.object({ facility: idSchema });
const shiftsAnswer = z.object({
  shifts: z.array(facilityShiftSchema),
  /** False: the facility has configured none and works in the defaults (早班, 中班, 夜班). */
  configured: z.boolean(),
});

/** A facility's shifts (docs/api.md "Response analytics"), by which the response analytics group alerts. */
export const shiftRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/facilities/:facility/shifts',
    {
      config: { action: 'facilities' },
      schema: {
        tags: ['facilities'],
        operationId: 'listFacilityShifts',
        summary: "The facility's shifts, in the order of their starts",
        description: "Times of day in the facility's time zone; the defaults when it has configured none.",
        params,
        response: { 200: shiftsAnswer },
      },
    },
    async (request) => {
      await assertFacility(request.principal, request.params.facility, ctx.directory);
      return listFacilityShifts(ctx.db, request.params.facility);
    },
  );

  app.put(
    '/facilities/:facility/shifts',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['facilities'],
        operationId: 'replaceFacilityShifts',
        summary: "Replace the facility's shifts (safety officer, admin)",
        description:
          'The shifts must tile the day: in the order of their starts each ends where the next begins (400 otherwise).',
        params,
        body: z.object({ shifts: facilityShiftsSchema }),
        response: { 200: shiftsAnswer },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const { shifts } = request.body;
      const what = {
        action: 'facility.shifts.replace',
        facility,
        target: `facility:${facility}`,
        details: { shifts: shifts.map((s) => `${s.id} ${s.starts}-${s.ends}`) },
      };
      await change(ctx, p, what, (tx) => replaceFacilityShifts(tx, facility, shifts));
      return listFacilityShifts(ctx.db, facility);
    },
  );
};
