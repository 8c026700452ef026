import { notifyChannelSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addEndpoint,
  disableEndpoint,
  endpointTargetSchema,
  getPreferences,
  getWorkOrder,
  iso,
  listDeliveries,
  listEndpoints,
  preferenceSchema,
  quietHoursSchema,
  setPreferences,
  type Principal,
} from '@vigil/store';
import type { RouteOptions } from '../http.js';
import { Forbidden, NotFound } from '../errors.js';
import { allow, assertInScope } from '../scope.js';

const endpointSchema = z.object({ id: z.number().int(), channel: notifyChannelSchema });
const preferencesSchema = z.object({ preferences: z.array(preferenceSchema), quietHours: quietHoursSchema.nullable() });
const deliverySchema = z.object({
  id: z.number().int(),
  endpoint: z.number().int(),
  reason: z.enum(['offered', 'escalated', 'family']),
  status: z.enum(['pending', 'sent', 'failed', 'suppressed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  sentAt: z.iso.datetime().nullable(),
});

/** A staff member's own notification settings: a person's token of one facility. */
function person(p: Principal): { user: string; facility: string } {
  allow(p, 'respond');
  if (!p.user || !p.facility) throw Forbidden('notification settings belong to a person of a facility');
  return { user: p.user, facility: p.facility };
}

export const notificationRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/notifications/endpoints',
    {
      schema: {
        tags: ['notifications'],
        summary: 'My notification endpoints (push subscriptions, email addresses, webhooks)',
        response: { 200: z.object({ endpoints: z.array(endpointSchema) }) },
      },
    },
    async (request) => {
      const { user, facility } = person(request.principal);
      const rows = await listEndpoints(ctx.db, facility, user);
      return { endpoints: rows.map(({ id, channel }) => ({ id, channel })) };
    },
  );

  app.post(
    '/notifications/endpoints',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Add an endpoint of mine: a browser’s push subscription, an email address or a webhook',
        body: z.object({ channel: notifyChannelSchema, target: endpointTargetSchema }),
        response: { 201: endpointSchema },
      },
    },
    async (request, reply) => {
      const { user, facility } = person(request.principal);
      const { channel, target } = request.body;
      const id = await addEndpoint(ctx.db, { facility, user, channel, target });
      return reply.status(201).send({ id, channel });
    },
  );

  app.delete(
    '/notifications/endpoints/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Remove one of my endpoints',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const { user } = person(request.principal);
      if (!(await disableEndpoint(ctx.db, request.params.id, user, new Date(ctx.clock.now()))))
        throw NotFound(`endpoint ${request.params.id} not found`);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/notifications/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'My preferences: per channel which priorities and rules, and quiet hours',
        response: { 200: preferencesSchema },
      },
    },
    async (request) => getPreferences(ctx.db, person(request.principal).user),
  );

  app.put(
    '/notifications/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Replace my preferences; quiet hours hold back all but critical alerts',
        body: preferencesSchema,
        response: { 200: preferencesSchema },
      },
    },
    async (request) => {
      const { user } = person(request.principal);
      await setPreferences(ctx.db, user, request.body);
      return getPreferences(ctx.db, user);
    },
  );

  app.get(
    '/work-orders/:id/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Every notification of a work order with its outcome',
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ deliveries: z.array(deliverySchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      allow(p, 'timeline');
      const order = await getWorkOrder(ctx.db, request.params.id);
      if (!order) throw NotFound(`work order ${request.params.id} not found`);
      await ctx.directory.ensure(order.facility, null);
      assertInScope(p, order.facility, ctx.directory, `work order ${order.id}`);
      const rows = await listDeliveries(ctx.db, order.id);
      return { deliveries: rows.map((d) => ({ ...d, createdAt: iso(d.createdAt), sentAt: iso(d.sentAt) })) };
    },
  );
};
