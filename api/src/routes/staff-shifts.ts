import { idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addShift, getShift, getUser, listShifts, removeShift, updateShift, type Shift } from '@vigil/store';
import { change } from '../audit.js';
import type { ApiContext, RouteOptions } from '../http.js';
import { Forbidden, NotFound, Validation } from '../errors.js';
import { assertFacility } from '../scope.js';

const DAY_MS = 86_400_000;
const district = z.string().min(1).max(100);

const shiftSchema = z.object({
  id: z.number().int(),
  facility: idSchema,
  user: idSchema,
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  /** Null: the whole station. */
  district: z.string().nullable(),
  /** The station lead: escalations go to her. */
  lead: z.boolean(),
});
const shiftParams = z.object({ facility: idSchema, id: z.coerce.number().int().positive() });
const time = z.iso.datetime({ offset: true });

const view = (s: Shift): z.infer<typeof shiftSchema> => ({
  ...s,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
});

/** A shift of the station, 404 when it is not there (or the station is outside the token's scope). */
async function shiftOf(ctx: ApiContext, facility: string, id: number): Promise<Shift> {
  const shift = await getShift(ctx.db, facility, id);
  if (!shift) throw NotFound(`shift ${facility}/${id} not found`);
  return shift;
}

/** Who is on duty where (`staff_shifts`): the work orders' audience (docs/homecare.md "Work orders"). */
export const staffShiftRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/staff-shifts',
    {
      config: { action: 'dwellings' },
      schema: {
        tags: ['dwellings'],
        operationId: 'listStaffShifts',
        summary: 'A station’s shifts overlapping a period (default: the next 24 hours), or only mine',
        description: 'Staff of the station and admins; `mine` needs a person’s token.',
        querystring: z.object({
          facility: idSchema,
          from: time.optional().describe('default now'),
          to: time.optional().describe('default 24 hours after from'),
          mine: z.enum(['true', 'false']).default('false'),
        }),
        response: { 200: z.object({ shifts: z.array(shiftSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const q = request.query;
      await assertFacility(p, q.facility, ctx.directory);
      if (q.mine === 'true' && !p.user) throw Forbidden('only a person’s token has shifts of its own');
      const from = q.from ? new Date(q.from) : new Date(ctx.clock.now());
      const to = q.to ? new Date(q.to) : new Date(from.getTime() + DAY_MS);
      const user = q.mine === 'true' ? p.user! : undefined;
      return { shifts: (await listShifts(ctx.db, q.facility, { from, to, user })).map(view) };
    },
  );

  app.post(
    '/staff-shifts',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['dwellings'],
        operationId: 'createStaffShift',
        summary: 'Put a staff member of the station on duty, for a district or the whole station',
        description: 'The user must belong to the station (404 otherwise); `endsAt` after `startsAt`.',
        body: z.object({
          facility: idSchema,
          user: idSchema,
          startsAt: time,
          endsAt: time,
          district: district.optional(),
          lead: z.boolean().default(false),
        }),
        response: { 201: shiftSchema },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const b = request.body;
      await assertFacility(p, b.facility, ctx.directory);
      const user = await getUser(ctx.db, b.user);
      if (!user || user.facility !== b.facility) throw NotFound(`user ${b.user} not found in ${b.facility}`);
      const [startsAt, endsAt] = [new Date(b.startsAt), new Date(b.endsAt)];
      if (endsAt <= startsAt) throw Validation('endsAt must be after startsAt');
      const what = (id: number) => ({
        action: 'shift.create',
        facility: b.facility,
        target: `shift:${id}`,
        details: { user: b.user, lead: b.lead },
      });
      const id = await change(ctx, p, what, (tx) => addShift(tx, { ...b, startsAt, endsAt }));
      return reply.status(201).send(view(await shiftOf(ctx, b.facility, id)));
    },
  );

  app.patch(
    '/staff-shifts/:facility/:id',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['dwellings'],
        operationId: 'updateStaffShift',
        summary: 'Change a shift’s times, district (null: the whole station) or lead',
        description: '404 when the shift is not the station’s; 400 when it would end before it starts.',
        params: shiftParams,
        body: z.object({
          startsAt: time.optional(),
          endsAt: time.optional(),
          district: district.nullable().optional(),
          lead: z.boolean().optional(),
        }),
        response: { 200: shiftSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { facility, id } = request.params;
      const b = request.body;
      await assertFacility(p, facility, ctx.directory);
      const current = await shiftOf(ctx, facility, id);
      const startsAt = b.startsAt ? new Date(b.startsAt) : current.startsAt;
      const endsAt = b.endsAt ? new Date(b.endsAt) : current.endsAt;
      if (endsAt <= startsAt) throw Validation('endsAt must be after startsAt');
      const what = { action: 'shift.update', facility, target: `shift:${id}`, details: { fields: Object.keys(b) } };
      const updated = await change(ctx, p, what, async (tx) => {
        const shift = await updateShift(tx, facility, id, { startsAt, endsAt, district: b.district, lead: b.lead });
        if (!shift) throw NotFound(`shift ${facility}/${id} not found`);
        return shift;
      });
      return view(updated);
    },
  );

  app.delete(
    '/staff-shifts/:facility/:id',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['dwellings'],
        operationId: 'deleteStaffShift',
        summary: 'Take a shift off the roster',
        description: 'Orders already offered stay offered; 404 when the shift is not the station’s.',
        params: shiftParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { facility, id } = request.params;
      await assertFacility(p, facility, ctx.directory);
      const what = { action: 'shift.delete', facility, target: `shift:${id}` };
      await change(ctx, p, what, async (tx) => {
        if (!(await removeShift(tx, facility, id))) throw NotFound(`shift ${facility}/${id} not found`);
      });
      return reply.status(204).send(null);
    },
  );
};
