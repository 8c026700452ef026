import { idSchema } from '@vigil/protocol';
import { readRoomBoard, recordAccess } from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Validation } from '../errors.js';
import type { RouteOptions } from '../http.js';
import { assertFacility } from '../scope.js';

const bedSchema = z.object({
  resident: z.string(),
  name: z.string().nullable(),
  vitalsWithheld: z.enum(['consent']).nullable().describe('`consent`: none recorded for vitals, so no readings'),
  occupied: z.boolean().nullable().describe('in bed, from the bed mat'),
  hr: z.number().nullable(),
  rr: z.number().nullable(),
  spo2: z.number().nullable(),
  readAt: z.iso.datetime().nullable().describe('when the newest reading shown was taken'),
});
const roomSchema = z.object({
  id: idSchema,
  name: z.string().nullable(),
  kind: z.string(),
  beds: z.array(bedSchema),
  devices: z.number().int().describe('active devices in the room or worn by its residents'),
  offline: z.number().int().describe('of them offline or silent (nothing for three expected intervals)'),
  lowBattery: z.number().int().describe('of them with a battery below 20 %'),
});

/**
 * The wall display's room board in one request (docs/api.md "Room board"): every room and bed of a facility with
 * the latest vital signs where the resident consented, and its devices offline or low on battery.
 */
export const roomRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/rooms',
    {
      config: { action: 'rooms' },
      schema: {
        tags: ['display'],
        operationId: 'getRoomBoard',
        summary: "Every room and bed of a facility with occupancy, latest vital signs and devices' state",
        description:
          'Readings (bed mat occupancy, heart rate, breathing, SpO2 of the last day) only for residents who ' +
          'consented to vitals; one audit entry `resident.vitals.read` per answer naming the residents whose ' +
          'readings it carries. Facility staff and displays; regulators never see it.',
        querystring: z.object({ facility: idSchema.optional() }),
        response: { 200: z.object({ facility: idSchema, rooms: z.array(roomSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const facility = request.query.facility ?? p.facility;
      if (!facility) throw Validation('querystring/facility: required for tokens without a facility');
      await assertFacility(p, facility, ctx.directory);
      const at = new Date(ctx.clock.now());
      const board = await readRoomBoard(ctx.db, p, facility, at);
      const shown = board.flatMap((room) => room.beds.filter((bed) => bed.readAt !== null).map((b) => b.resident));
      if (shown.length) {
        await recordAccess(ctx.db, {
          actor: p.actor,
          action: 'resident.vitals.read',
          target: `facility:${facility}`,
          facility,
          details: { route: 'rooms', residents: shown },
        });
      }
      return {
        facility,
        rooms: board.map(({ beds, ...room }) => ({
          ...room,
          beds: beds.map(({ vitalsConsented, readAt, ...bed }) => ({
            ...bed,
            vitalsWithheld: vitalsConsented ? null : ('consent' as const),
            readAt: readAt ? readAt.toISOString() : null,
          })),
        })),
      };
    },
  );
};
