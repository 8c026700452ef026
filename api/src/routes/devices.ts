import { deviceKindSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import {
  getDeviceInScope,
  iso,
  listDevicesInScope,
  readStatusChanges,
  type DeviceWithPseudonym,
} from '@vigil/store';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { assertFacility } from '../scope.js';

const deviceSchema = z.object({
  id: idSchema,
  facility: idSchema,
  kind: deviceKindSchema,
  resident: z.string().nullable(),
  location: idSchema.nullable(),
  expectedIntervalS: z.number().int(),
  retired: z.boolean(),
  online: z.boolean().nullable(),
  battery: z.number().nullable(),
  fw: z.string().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  /** Nothing heard for more than 3× the expected interval (the device-offline rule's threshold). */
  silent: z.boolean(),
});
const statusChangeSchema = z.object({
  time: z.iso.datetime(),
  source: z.enum(['status', 'connect', 'disconnect', 'will']),
  online: z.boolean(),
  battery: z.number().nullable(),
  fw: z.string().nullable(),
});

export const deviceRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const view = (d: DeviceWithPseudonym): z.infer<typeof deviceSchema> => {
    const silentAfterMs = 3 * d.expectedIntervalS * 1000;
    const retired = d.retiredAt !== null;
    return {
      id: d.id,
      facility: d.facility,
      kind: d.kind,
      resident: d.resident,
      location: d.location,
      expectedIntervalS: d.expectedIntervalS,
      retired,
      online: d.online,
      battery: d.battery,
      fw: d.fw,
      lastSeenAt: iso(d.lastSeenAt),
      silent: !retired && (d.lastSeenAt === null || ctx.clock.now() - d.lastSeenAt.getTime() > silentAfterMs),
    };
  };

  app.get(
    '/devices',
    {
      config: { action: 'devices' },
      schema: {
        tags: ['devices'],
        operationId: 'listDevices',
        summary: 'List devices in scope with their current status',
        description: 'Keyset-paged by id; regulators may not list devices (their ids identify residents’ rooms).',
        querystring: z.object({
          facility: idSchema.optional(),
          kind: deviceKindSchema.optional(),
          online: z.enum(['true', 'false']).optional(),
          retired: z.enum(['true', 'false']).default('false').describe('list retired devices instead'),
          ...pageQuery,
        }),
        response: { 200: z.object({ devices: z.array(deviceSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const q = request.query;
      if (q.facility) await assertFacility(p, q.facility, ctx.directory);
      const after = decodeCursor(q.cursor, 1);
      const rows = await listDevicesInScope(ctx.db, p, {
        facility: q.facility,
        kind: q.kind,
        online: q.online === undefined ? undefined : q.online === 'true',
        retired: q.retired === 'true',
        after: after?.[0],
        limit: q.limit + 1,
      });
      const { items, nextCursor } = page(rows, q.limit, (row) => [row.id]);
      return { devices: items.map((d) => view(d)), nextCursor };
    },
  );

  app.get(
    '/devices/:device',
    {
      config: { action: 'devices' },
      schema: {
        tags: ['devices'],
        operationId: 'getDevice',
        summary: 'One device with its current status and its recent status changes',
        description: 'The 20 most recent status changes (status messages, connects, disconnects, wills).',
        params: z.object({ device: idSchema }),
        response: { 200: deviceSchema.extend({ statusChanges: z.array(statusChangeSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const device = await getDeviceInScope(ctx.db, p, request.params.device);
      if (!device) throw NotFound(`device ${request.params.device} not found`);
      const changes = await readStatusChanges(ctx.db, device.id, 20);
      return {
        ...view(device),
        statusChanges: changes.map((row) => ({ ...row, time: iso(row.time) }) as z.infer<typeof statusChangeSchema>),
      };
    },
  );
};
