import {
  ALERT_RULES,
  alertEventTypeSchema,
  alertPrioritySchema,
  alertSchema,
  alertStatusSchema,
  idSchema,
  resolutionOutcomeSchema,
  type Alert,
  type AlertEvent,
} from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { runCommand } from '../commands.js';
import type { ApiContext, RouteOptions } from '../http.js';
import {
  assignAlert,
  assigneesOf,
  eventsOfAlert,
  getAlert,
  iso,
  listAlerts,
  receiptsOfAlert,
  unassignAlert,
  type Principal,
} from '@vigil/store';
import { change } from '../audit.js';
import { NotFound, Validation } from '../errors.js';
import { decodeCursor, page, pageQuery } from '../paging.js';
import { alertView, assertFacility, assertInScope } from '../scope.js';

const alertIdParams = z.object({ id: z.uuid() });
const eventSummarySchema = z.object({
  eventId: z.number().int(),
  event: alertEventTypeSchema,
  at: z.iso.datetime(),
  actor: z.string().nullable(),
});
const receiptTime = z.iso.datetime().nullable();
const displayReceiptsSchema = z.object({
  display: z.string().describe('the token or sign-in session the display streams with'),
  label: z.string().nullable().describe('its label or user; null for regulators'),
  deliveredAt: receiptTime.describe('first event of this alert the display received'),
  shownAt: receiptTime.describe('first time the display showed this alert on screen'),
  events: z.array(z.object({ eventId: z.number().int(), deliveredAt: receiptTime, shownAt: receiptTime })),
});
const listedAlertSchema = alertSchema.extend({
  assignee: z.string().nullable().describe('user id; null for regulators'),
});
const assignmentSchema = z.object({
  alertId: z.uuid(),
  assignee: idSchema,
  assignedBy: z.string(),
  assignedAt: z.iso.datetime(),
});
const commandResultSchema = z.object({
  alert: alertSchema,
  /** The event the alerts service published; null if it was stored but its event has not reached the api yet. */
  eventId: z.number().int().nullable(),
  commandId: z.number().int(),
});

/** An alert by id if the principal may see it (the feed knows alerts the database may not have yet), else 404. */
export async function findAlert(ctx: ApiContext, principal: Principal, id: string): Promise<Alert> {
  const alert = (await getAlert(ctx.db, id)) ?? ctx.feed.openAlert(id) ?? null;
  if (!alert) throw NotFound(`alert ${id} not found`);
  await ctx.directory.ensure(alert.facility, alert.resident);
  assertInScope(principal, alert.facility, ctx.directory, `alert ${id}`);
  return alert;
}

export const alertRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/alerts',
    {
      config: { action: 'alerts' },
      schema: {
        tags: ['alerts'],
        operationId: 'listAlerts',
        summary: 'List alerts in scope, newest first',
        description:
          'Filters by facility, rule, priority, status, drill, period and assignee (`assignee=me`); keyset-paged by (raisedAt, id), newest first.',
        querystring: z.object({
          status: alertStatusSchema.optional(),
          facility: idSchema.optional(),
          rule: z.enum(ALERT_RULES).optional(),
          priority: alertPrioritySchema.optional(),
          assignee: z
            .union([z.literal('me'), idSchema])
            .optional()
            .describe('only alerts assigned to this user; `me` for the token’s own user'),
          drill: z.enum(['true', 'false']).optional().describe('only drills (true) or only real alerts (false)'),
          from: z.iso.datetime({ offset: true }).optional().describe('raised at or after'),
          to: z.iso.datetime({ offset: true }).optional().describe('raised before'),
          ...pageQuery,
        }),
        response: { 200: z.object({ alerts: z.array(listedAlertSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const q = request.query;
      if (q.facility) await assertFacility(p, q.facility, ctx.directory);
      const after = decodeCursor(q.cursor, 2);
      if (q.assignee === 'me' && !p.user) throw Validation('querystring/assignee: `me` needs a token of a user');
      const alerts = await listAlerts(ctx.db, p, {
        ...q,
        assignee: q.assignee === 'me' ? p.user! : q.assignee,
        drill: q.drill === undefined ? undefined : q.drill === 'true',
        before: after ? [after[0]!, after[1]!] : undefined,
        limit: q.limit + 1,
      });
      await Promise.all(alerts.map((a) => ctx.directory.ensure(a.facility, a.resident)));
      const { items, nextCursor } = page(alerts, q.limit, (a) => [a.raisedAt, a.id]);
      // Regulators see no assignees: a user id may be a caregiver's name.
      const assignees =
        p.role === 'regulator'
          ? new Map<string, string>()
          : await assigneesOf(
              ctx.db,
              items.map((a) => a.id),
            );
      return {
        alerts: items.map((a) => ({ ...alertView(p, a, ctx.directory), assignee: assignees.get(a.id) ?? null })),
        nextCursor,
      };
    },
  );

  app.get(
    '/alerts/:id',
    {
      config: { action: 'alerts' },
      schema: {
        tags: ['alerts'],
        operationId: 'getAlert',
        summary: 'One alert with its lifecycle events and the displays’ receipts',
        description:
          'Regulators see pseudonyms, no device id, no detail text, no note and no display labels. `receipts`: every ' +
          'display that confirmed an event of the alert, with when it received and showed it (IHE ACM).',
        params: alertIdParams,
        response: {
          200: z.object({
            alert: alertSchema,
            events: z.array(eventSummarySchema),
            receipts: z.array(displayReceiptsSchema),
          }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      const [events, receipts] = await Promise.all([
        eventsOfAlert(ctx.db, alert.id),
        receiptsOfAlert(ctx.db, alert.id),
      ]);
      return {
        receipts: receipts.map((r) => ({
          display: r.display,
          label: p.role === 'regulator' ? null : r.label,
          deliveredAt: iso(r.deliveredAt),
          shownAt: iso(r.shownAt),
          events: r.events.map((e) => ({ ...e, deliveredAt: iso(e.deliveredAt), shownAt: iso(e.shownAt) })),
        })),
        alert: alertView(p, alert, ctx.directory),
        events: events.map((e) => ({
          eventId: Number(e.id),
          event: e.type as AlertEvent['event'],
          at: iso(e.at),
          actor: e.actor,
        })),
      };
    },
  );

  app.post(
    '/alerts/:id/ack',
    {
      config: { action: 'respond' },
      schema: {
        tags: ['alerts'],
        operationId: 'acknowledgeAlert',
        summary: 'Acknowledge an alert (caregiver, safety officer, admin)',
        description: 'Answers once the alerts service has recorded it; 409 if already acknowledged or resolved.',
        params: alertIdParams,
        response: { 200: commandResultSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      return respond(ctx, p, alert, 'acknowledge', {});
    },
  );

  app.post(
    '/alerts/:id/presence',
    {
      config: { action: 'respond' },
      schema: {
        tags: ['alerts'],
        operationId: 'markPresence',
        summary: 'A caregiver is at the resident: presence (caregiver, safety officer, admin)',
        description:
          'DIN VDE 0834: acknowledging says who is going, presence that somebody is there; it acknowledges an alert ' +
          'nobody acknowledged yet. A call (an alert about a resident or a place, not device maintenance) resolves ' +
          'only after presence. Answers once the alerts service has recorded it; 409 if already present or resolved.',
        params: alertIdParams,
        response: { 200: commandResultSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      return respond(ctx, p, alert, 'presence', {});
    },
  );

  app.post(
    '/alerts/:id/resolve',
    {
      config: { action: 'respond' },
      schema: {
        tags: ['alerts'],
        operationId: 'resolveAlert',
        summary: 'Resolve an alert with its outcome (caregiver, safety officer, admin)',
        description:
          'Answers once the alerts service has recorded it; 409 if already resolved, or ' +
          '`VIGIL_ERR_ALERTS_PRESENCE_REQUIRED` for a call nobody was recorded present at yet.',
        params: alertIdParams,
        body: z.object({ outcome: resolutionOutcomeSchema, note: z.string().max(2000).optional() }),
        response: { 200: commandResultSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      return respond(ctx, p, alert, 'resolve', { outcome: request.body.outcome, note: request.body.note ?? null });
    },
  );

  app.put(
    '/alerts/:id/assignment',
    {
      config: { action: 'assign' },
      schema: {
        tags: ['alerts'],
        operationId: 'assignAlert',
        summary: 'Assign an alert to a caregiver or officer of its facility (safety officer, admin)',
        description:
          'Replaces an earlier assignment. Not lifecycle state, so it does not go through the alerts service; 404 ' +
          'when the user is not an enabled caregiver or officer of the alert’s facility.',
        params: alertIdParams,
        body: z.strictObject({ assignee: idSchema }),
        response: { 200: assignmentSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      const { assignee } = request.body;
      const what = {
        action: 'alert.assign',
        facility: alert.facility,
        target: `alert:${alert.id}`,
        details: { assignee },
      };
      const assigned = await change(ctx, p, what, async (tx) => {
        const row = await assignAlert(tx, alert, assignee, p.actor);
        if (!row) throw NotFound(`user ${assignee} not found among the caregivers of ${alert.facility}`);
        return row;
      });
      return { ...assigned, assignedAt: iso(assigned.assignedAt) };
    },
  );

  app.delete(
    '/alerts/:id/assignment',
    {
      config: { action: 'assign' },
      schema: {
        tags: ['alerts'],
        operationId: 'unassignAlert',
        summary: "Remove an alert's assignment (safety officer, admin)",
        description: '404 when the alert is not assigned.',
        params: alertIdParams,
        response: { 204: z.null().describe('unassigned') },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const alert = await findAlert(ctx, p, request.params.id);
      const what = { action: 'alert.unassign', facility: alert.facility, target: `alert:${alert.id}` };
      // Thrown inside the transaction: a refused write leaves no audit entry.
      await change(ctx, p, what, async (tx) => {
        if (!(await unassignAlert(tx, alert.id))) throw NotFound(`alert ${alert.id} is not assigned`);
      });
      return reply.status(204).send(null);
    },
  );
};

const EXPECTED_EVENT = { acknowledge: 'acknowledged', presence: 'presence', resolve: 'resolved' } as const;

async function respond(
  ctx: ApiContext,
  principal: Principal,
  alert: Alert,
  command: keyof typeof EXPECTED_EVENT,
  args: Record<string, unknown>,
) {
  const result = await runCommand(ctx, {
    facility: alert.facility,
    alertId: alert.id,
    command,
    actor: principal.actor,
    args,
    matches: (e) => e.alert.id === alert.id && e.event === EXPECTED_EVENT[command] && e.actor === principal.actor,
  });
  const current = result.event?.alert ?? (await getAlert(ctx.db, alert.id)) ?? alert;
  return {
    alert: alertView(principal, current, ctx.directory),
    eventId: result.event?.eventId ?? null,
    commandId: result.commandId,
  };
}
