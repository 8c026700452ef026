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
import { change } from '../audit.js';
import type { RouteOptions } from '../http.js';
import { Forbidden, NotFound } from '../errors.js';
import { assertInScope } from '../scope.js';

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
  if (!p.user || !p.facility) throw Forbidden('notification settings belong to a person of a facility');
  return { user: p.user, facility: p.facility };
}

/** A token that is no person's (a display, a service) has no endpoints and no preferences of its own. */
const isPerson = (p: Principal) => p.user !== null && p.facility !== null;
const NO_PREFERENCES = { preferences: [], quietHours: null };

export const notificationRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/notifications/vapid-key',
    {
      config: { action: 'session' },
      schema: {
        tags: ['notifications'],
        operationId: 'getVapidKey',
        summary: 'The VAPID public key a browser subscribes to Web Push with',
        description:
          'The `applicationServerKey` of `PushManager.subscribe` (base64url, RFC 8292); null when push is off. ' +
          'The subscription is then added with `POST /notifications/endpoints` (channel `push`).',
        response: { 200: z.object({ publicKey: z.string().nullable() }) },
      },
    },
    async () => ({ publicKey: ctx.vapidPublicKey }),
  );

  app.get(
    '/notifications/endpoints',
    {
      config: { action: 'session' },
      schema: {
        tags: ['notifications'],
        operationId: 'listNotificationEndpoints',
        summary: 'My notification endpoints (push subscriptions, email addresses, webhooks)',
        description: 'The caller’s own; a token that is no person’s has none. Targets are never echoed.',
        response: { 200: z.object({ endpoints: z.array(endpointSchema) }) },
      },
    },
    async (request) => {
      if (!isPerson(request.principal)) return { endpoints: [] };
      const { user, facility } = person(request.principal);
      const rows = await listEndpoints(ctx.db, facility, user);
      return { endpoints: rows.map(({ id, channel }) => ({ id, channel })) };
    },
  );

  app.post(
    '/notifications/endpoints',
    {
      config: { action: 'session' },
      schema: {
        tags: ['notifications'],
        operationId: 'addNotificationEndpoint',
        summary: 'Add an endpoint of mine: a browser’s push subscription, an email address or a webhook',
        description: 'A person’s token of one facility only (403 otherwise).',
        body: z.object({ channel: notifyChannelSchema, target: endpointTargetSchema }),
        response: { 201: endpointSchema },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { user, facility } = person(p);
      const { channel, target } = request.body;
      // The audit names the channel, never the target (an address or a subscription).
      const what = { action: 'notification.endpoint.add', facility, target: `user:${user}`, details: { channel } };
      const id = await change(ctx, p, what, (tx) => addEndpoint(tx, { facility, user, channel, target }));
      return reply.status(201).send({ id, channel });
    },
  );

  app.delete(
    '/notifications/endpoints/:id',
    {
      config: { action: 'session' },
      schema: {
        tags: ['notifications'],
        operationId: 'removeNotificationEndpoint',
        summary: 'Remove one of my endpoints',
        description: '404 when it is not the caller’s or already removed; queued notifications to it are settled.',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { user, facility } = person(p);
      const id = request.params.id;
      const what = {
        action: 'notification.endpoint.remove',
        facility,
        target: `user:${user}`,
        details: { endpoint: id },
      };
      await change(ctx, p, what, async (tx) => {
        if (!(await disableEndpoint(tx, id, user, new Date(ctx.clock.now()))))
          throw NotFound(`endpoint ${id} not found`);
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/notifications/preferences',
    {
      config: { action: 'session' },
      schema: {
        tags: ['notifications'],
        operationId: 'getNotificationPreferences',
        summary: 'My preferences: per channel which priorities and rules, and quiet hours',
        description: 'The caller’s own; a token that is no person’s has none.',
        response: { 200: preferencesSchema },
      },
    },
    async (request) =>
      isPerson(request.principal) ? getPreferences(ctx.db, person(request.principal).user) : NO_PREFERENCES,
  );

  app.put(
    '/notifications/preferences',
    {
      config: { action: 'session' },
      schema: {
        tags: ['notifications'],
        operationId: 'setNotificationPreferences',
        summary: 'Replace my preferences; quiet hours hold back all but critical alerts',
        description: 'A person’s token of one facility only (403 otherwise); channels left out are removed.',
        body: preferencesSchema,
        response: { 200: preferencesSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const { user, facility } = person(p);
      const what = { action: 'notification.preferences.update', facility, target: `user:${user}` };
      await change(ctx, p, what, (tx) => setPreferences(tx, user, request.body));
      return getPreferences(ctx.db, user);
    },
  );

  app.get(
    '/work-orders/:id/deliveries',
    {
      config: { action: 'timeline' },
      schema: {
        tags: ['notifications'],
        operationId: 'listWorkOrderDeliveries',
        summary: 'Every notification of a work order with its outcome',
        description: 'Channel outcomes only: the endpoint id, never its address; 404 outside the token’s scope.',
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ deliveries: z.array(deliverySchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const order = await getWorkOrder(ctx.db, request.params.id);
      if (!order) throw NotFound(`work order ${request.params.id} not found`);
      await ctx.directory.ensure(order.facility, null);
      assertInScope(p, order.facility, ctx.directory, `work order ${order.id}`);
      const rows = await listDeliveries(ctx.db, order.id);
      return { deliveries: rows.map((d) => ({ ...d, createdAt: iso(d.createdAt), sentAt: iso(d.sentAt) })) };
    },
  );
};
