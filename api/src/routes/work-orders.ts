import { alertPrioritySchema, alertRuleSchema, idSchema } from '@vigil/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  getWorkOrder,
  iso,
  listWorkOrders,
  stepWorkOrder,
  VISIT_OUTCOMES,
  WORK_ORDER_STATUSES,
  type Principal,
  type WorkOrder,
  type WorkOrderStep,
} from '@vigil/store';
import { change } from '../audit.js';
import type { ApiContext, RouteOptions } from '../http.js';
import { Forbidden, NotFound, Validation, WorkOrderConflict } from '../errors.js';
import { assertFacility, assertInScope } from '../scope.js';

export const workOrderSchema = z.object({
  id: z.uuid(),
  facility: idSchema,
  /** The dwelling. */
  location: idSchema,
  resident: idSchema.nullable(),
  alertId: z.uuid(),
  rule: alertRuleSchema,
  priority: alertPrioritySchema,
  status: z.enum(WORK_ORDER_STATUSES),
  offeredTo: z.array(idSchema),
  assignee: idSchema.nullable(),
  createdAt: z.iso.datetime(),
  /** The 15-minute response circle: on site by then. */
  onSiteDueAt: z.iso.datetime(),
  acceptedAt: z.iso.datetime().nullable(),
  enRouteAt: z.iso.datetime().nullable(),
  onSiteAt: z.iso.datetime().nullable(),
  doneAt: z.iso.datetime().nullable(),
  doneBy: idSchema.nullable(),
  escalatedAt: z.iso.datetime().nullable(),
  escalatedTo: z.array(idSchema).nullable(),
  /** On site by `onSiteDueAt`; null while nobody is there and the time is not up. */
  onSiteInTime: z.boolean().nullable(),
  note: z.string().nullable(),
  /** How the visit ended (`done` only); null before, and on orders finished before outcomes were recorded. */
  outcome: z.enum(VISIT_OUTCOMES).nullable(),
  /** Display names of the assignee and of who finished, staff of the station (null otherwise: show the id). */
  assigneeName: z.string().nullable(),
  doneByName: z.string().nullable(),
});
type WorkOrderView = z.infer<typeof workOrderSchema>;

/** The steps of the staff page, in the order they are taken (`POST /work-orders/{id}/{step}`). */
const STEPS: Record<'accept' | 'en-route' | 'on-site' | 'done', WorkOrderStep> = {
  accept: 'accepted',
  'en-route': 'en_route',
  'on-site': 'on_site',
  done: 'done',
};

function view(o: WorkOrder, now: number): WorkOrderView {
  const due = o.onSiteDueAt.getTime();
  return {
    ...o,
    createdAt: iso(o.createdAt),
    onSiteDueAt: iso(o.onSiteDueAt),
    acceptedAt: iso(o.acceptedAt),
    enRouteAt: iso(o.enRouteAt),
    onSiteAt: iso(o.onSiteAt),
    doneAt: iso(o.doneAt),
    escalatedAt: iso(o.escalatedAt),
    onSiteInTime: o.onSiteAt ? o.onSiteAt.getTime() <= due : now > due ? false : null,
  };
}

async function findOrder(ctx: ApiContext, p: Principal, id: string): Promise<WorkOrder> {
  const order = await getWorkOrder(ctx.db, id);
  if (!order) throw NotFound(`work order ${id} not found`);
  await ctx.directory.ensure(order.facility, null);
  assertInScope(p, order.facility, ctx.directory, `work order ${id}`);
  return order;
}

export const workOrderRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/work-orders',
    {
      // A station's own: no regulator reads them here (their analytics come from the reports).
      config: { action: 'work-orders' },
      schema: {
        tags: ['work-orders'],
        operationId: 'listWorkOrders',
        summary: 'A station’s work orders, newest first: open ones (the station view), mine, or a period’s',
        querystring: z.object({
          facility: idSchema.optional(),
          status: z.enum(['open', 'all']).default('open'),
          mine: z.enum(['true', 'false']).default('false').describe('only orders offered to me or taken by me'),
          from: z.iso.datetime({ offset: true }).optional().describe('alert raised at or after'),
          to: z.iso.datetime({ offset: true }).optional().describe('alert raised before'),
          limit: z.coerce.number().int().min(1).max(500).default(200),
        }),
        description: 'Open orders by default; `mine` needs a person’s token. Without `facility`, the token’s.',
        response: { 200: z.object({ workOrders: z.array(workOrderSchema) }) },
      },
    },
    async (request) => {
      const p = request.principal;
      const q = request.query;
      const facility = q.facility ?? p.facility ?? undefined;
      if (facility) await assertFacility(p, facility, ctx.directory);
      else if (p.role !== 'admin') throw NotFound('facility not found');
      if (q.mine === 'true' && !p.user) throw Forbidden('only a person’s token has orders of its own');
      const rows = await listWorkOrders(ctx.db, {
        facility,
        open: q.status === 'open',
        user: q.mine === 'true' ? p.user! : undefined,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
      });
      const now = ctx.clock.now();
      return { workOrders: rows.map((o) => view(o, now)) };
    },
  );

  app.get(
    '/work-orders/:id',
    {
      config: { action: 'work-orders' },
      schema: {
        tags: ['work-orders'],
        operationId: 'getWorkOrder',
        summary: 'One work order with the time and person of each step',
        description: 'The order, its assignee and the time of each step; 404 outside the token’s scope.',
        params: z.object({ id: z.uuid() }),
        response: { 200: workOrderSchema },
      },
    },
    async (request) => {
      return view(await findOrder(ctx, request.principal, request.params.id), ctx.clock.now());
    },
  );

  app.post(
    '/work-orders/:id/:step',
    {
      config: { action: 'respond' },
      schema: {
        tags: ['work-orders'],
        operationId: 'stepWorkOrder',
        summary: 'Take the next step of a work order: accept, en-route, on-site, done',
        description:
          'Accepting makes the caller the assignee (the first to accept wins); every later step is the assignee’s ' +
          'and must follow the one before it. 409 VIGIL_ERR_API_WORK_ORDER_CONFLICT otherwise. `done` needs the ' +
          'visit’s `outcome` (400 without; no other step takes one) and takes an optional `note`.',
        params: z.object({ id: z.uuid(), step: z.enum(['accept', 'en-route', 'on-site', 'done']) }),
        body: z
          .object({
            note: z.string().max(2000).optional(),
            outcome: z.enum(VISIT_OUTCOMES).optional().describe('how the visit ended: required with `done`'),
          })
          .optional(),
        response: { 200: workOrderSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      // Scope first: an order of another facility is 404 whoever asks.
      const order = await findOrder(ctx, p, request.params.id);
      const user = p.user;
      if (!user) throw Forbidden('a work order is taken by a person: use a user’s token');
      const step = STEPS[request.params.step];
      const outcome = request.body?.outcome;
      if ((step === 'done') !== (outcome !== undefined)) {
        throw Validation(
          step === 'done'
            ? `body/outcome: a finished visit needs its outcome, one of ${VISIT_OUTCOMES.join(', ')}`
            : `body/outcome: only \`done\` takes an outcome`,
        );
      }
      const now = ctx.clock.now();
      const what = {
        action: `work-order.${request.params.step}`,
        facility: order.facility,
        target: `work-order:${order.id}`,
        // The outcome is a category, not free text: it may be in the audit trail; the note is not.
        details: outcome ? { user, outcome } : { user },
      };
      // A refused step throws inside the transaction, so it leaves no audit entry.
      const updated = await change(ctx, p, what, async (tx) => {
        const stepped = await stepWorkOrder(tx, order.id, step, user, new Date(now), {
          note: request.body?.note,
          outcome,
        });
        if (stepped) return stepped;
        const current = (await getWorkOrder(tx, order.id))!;
        throw WorkOrderConflict(
          current.assignee && current.assignee !== user
            ? `work order ${order.id} was taken by someone else`
            : `work order ${order.id} is ${current.status}: cannot ${request.params.step}`,
        );
      });
      return view(updated, now);
    },
  );
};
