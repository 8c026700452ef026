import { deviceKindSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteOptions } from '../http.js';
import {
  addDevice,
  assignDevice,
  deviceInputSchema,
  getDeviceInScope,
  retireDevice,
  rotateDeviceSecret,
  type Principal,
  iso,
  listDevicesInScope,
  readStatusChanges,
  type DeviceWithPseudonym,
} from '@vigil/store';
import { change } from '../audit.js';
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
const deviceParams = z.object({ device: idSchema });
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
        params: deviceParams,
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

  /** The device if it is in scope, else 404 (the same answer as for a device that does not exist). */
  const inScope = async (principal: Principal, id: string) => {
    const device = await getDeviceInScope(ctx.db, principal, id);
    if (!device) throw NotFound(`device ${id} not found`);
    return device;
  };
  const target = (id: string) => `device:${id}`;

  app.post(
    '/devices',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['devices'],
        operationId: 'registerDevice',
        summary: 'Register a device (safety officer, admin); its MQTT secret is in the answer, once',
        description:
          'The secret is stored only as an argon2id hash: keep it from this answer. 409 when the id is taken.',
        body: deviceInputSchema,
        response: { 201: deviceSchema.extend({ secret: z.string() }) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      await assertFacility(p, request.body.facility, ctx.directory);
      const what = { action: 'device.register', facility: request.body.facility, target: target(request.body.id) };
      const { secret } = await change(ctx, p, what, (tx) => addDevice(tx, request.body));
      return reply.status(201).send({ ...view(await inScope(p, request.body.id)), secret });
    },
  );

  app.patch(
    '/devices/:device',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['devices'],
        operationId: 'assignDevice',
        summary:
          'Assign a device to a resident and/or location, or change its expected interval (safety officer, admin)',
        description: 'null unassigns; fields left out are not changed. A retired device is 404.',
        params: deviceParams,
        body: z.strictObject({
          resident: idSchema.nullable().optional(),
          location: idSchema.nullable().optional(),
          expectedIntervalS: z.number().int().positive().max(86_400).optional(),
        }),
        response: { 200: deviceSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const device = await inScope(p, request.params.device);
      const what = {
        action: 'device.assign',
        facility: device.facility,
        target: target(device.id),
        details: request.body,
      };
      await change(ctx, p, what, (tx) => assignDevice(tx, device.facility, device.id, request.body));
      return view(await inScope(p, device.id));
    },
  );

  app.post(
    '/devices/:device/retire',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['devices'],
        operationId: 'retireDevice',
        summary: 'Retire a device (safety officer, admin)',
        description: 'It is refused at its next connect; its history is kept. 404 when already retired.',
        params: deviceParams,
        response: { 200: deviceSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const device = await inScope(p, request.params.device);
      const what = { action: 'device.retire', facility: device.facility, target: target(device.id) };
      await change(ctx, p, what, (tx) => retireDevice(tx, device.id));
      return view(await inScope(p, device.id));
    },
  );

  app.post(
    '/devices/:device/rotate-secret',
    {
      config: { action: 'manage' },
      schema: {
        tags: ['devices'],
        operationId: 'rotateDeviceSecret',
        summary: 'Issue a new MQTT secret for a device (safety officer, admin); the old one stops working',
        description: 'The new secret is in the answer, once. A retired device is 404.',
        params: deviceParams,
        response: { 200: z.object({ id: idSchema, secret: z.string() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const device = await inScope(p, request.params.device);
      const what = { action: 'device.rotate-secret', facility: device.facility, target: target(device.id) };
      return change(ctx, p, what, (tx) => rotateDeviceSecret(tx, device.id));
    },
  );
};
