import { alertRuleSchema, idSchema, type AlertRule } from '@vigil/protocol';
import {
  createPlan,
  filingStatusSchema,
  getPlan,
  getPlanDrill,
  listPlanDrills,
  listPlans,
  listPlanVersions,
  planDrillSchema,
  planInputSchema,
  planSchema,
  planVersionSchema,
  readPlanDocument,
  recordDrillFindings,
  RegistryConflict,
  recordDrillRun,
  scheduleDrill,
  setPlanFiling,
  uploadPlanDocument,
  type Plan,
  type Principal,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { change } from '../audit.js';
import { Validation } from '../errors.js';
import type { RouteOptions } from '../http.js';
import { allow, assertFacility } from '../scope.js';
import { startDrill } from './drills.js';

/** Plan documents are PDFs or text; far larger than the api's 64 KiB JSON limit. */
const DOCUMENT_LIMIT = 20 * 1024 * 1024;
const DOCUMENT_TYPES = ['application/pdf', 'application/octet-stream', 'text/plain', 'text/markdown', 'text/html'];

/** The alert rule a plan's drill imitates by default. */
const DRILL_RULE: Record<Plan['kind'], AlertRule> = {
  fire: 'fire',
  gas: 'gas',
  'power-loss': 'electrical',
  wandering: 'wandering',
  medical: 'sos',
  flood: 'drill',
  evacuation: 'drill',
  other: 'drill',
};

/** Statuses only the regulator gives (its answer); the facility sets the others (it files a plan or withdraws it). */
const REGULATOR_STATUSES = new Set(['accepted', 'needs-revision']);

const planParams = z.object({ facility: idSchema, plan: idSchema });
const drillParams = planParams.extend({ drill: z.coerce.number().int().positive() });
const planDetailSchema = z.object({
  plan: planSchema,
  versions: z.array(planVersionSchema),
  drills: z.array(planDrillSchema),
});

/**
 * Emergency plans, their documents and filing status, and their drills (docs/api.md "Emergency plans and drills").
 * Reads are `reports` (officer, regulator, admin); the facility's writes are `plans`; every write and its audit entry
 * commit together (`plan.create`, `plan.document.upload`, `plan.filing`, `plan.drill.schedule|run|update`).
 */
export const planRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.addContentTypeParser(DOCUMENT_TYPES, { parseAs: 'buffer', bodyLimit: DOCUMENT_LIMIT }, (_request, body, done) =>
    done(null, body),
  );
  const inScope = (request: { principal: Principal }, facility: string) =>
    assertFacility(request.principal, facility, ctx.directory);
  const target = (facility: string, plan: string) => `plan:${facility}/${plan}`;

  app.get(
    '/plans',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['plans'],
        operationId: 'listPlans',
        summary: "A facility's emergency plans",
        description: 'Every plan of the facility with its filing status and newest document version.',
        querystring: z.object({ facility: idSchema }),
        response: { 200: z.object({ plans: z.array(planSchema) }) },
      },
    },
    async (request) => {
      await inScope(request, request.query.facility);
      return { plans: await listPlans(ctx.db, request.query.facility) };
    },
  );

  app.post(
    '/plans',
    {
      config: { action: 'plans' },
      schema: {
        tags: ['plans'],
        operationId: 'createPlan',
        summary: 'Create an emergency plan (safety officer, admin); its document is uploaded separately',
        description: 'The plan starts as a draft; 409 when the facility already has a plan of this id.',
        body: planInputSchema.extend({ facility: idSchema }),
        response: { 201: planSchema },
      },
    },
    async (request, reply) => {
      const { facility, ...input } = request.body;
      await inScope(request, facility);
      const what = {
        action: 'plan.create',
        facility,
        target: target(facility, input.id),
        details: { kind: input.kind },
      };
      return reply
        .status(201)
        .send(await change(ctx, request.principal, what, (tx) => createPlan(tx, facility, input)));
    },
  );

  app.get(
    '/plans/:facility/:plan',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['plans'],
        operationId: 'getPlan',
        summary: 'A plan with its document versions and drills',
        description: 'Drills carry the response times of the drill alert they raised.',
        params: planParams,
        response: { 200: planDetailSchema },
      },
    },
    async (request) => {
      const { facility, plan } = request.params;
      await inScope(request, facility);
      const [detail, versions, drills] = await Promise.all([
        getPlan(ctx.db, facility, plan),
        listPlanVersions(ctx.db, facility, plan),
        listPlanDrills(ctx.db, facility, plan),
      ]);
      return { plan: detail, versions, drills };
    },
  );

  app.put(
    '/plans/:facility/:plan/document',
    {
      config: { action: 'plans' },
      bodyLimit: DOCUMENT_LIMIT,
      schema: {
        tags: ['plans'],
        operationId: 'uploadPlanDocument',
        summary: `Upload a new version of the plan's document (raw body: ${DOCUMENT_TYPES.join(', ')}); back to draft`,
        description: 'At most 20 MiB; every upload is a new version, older ones are kept.',
        params: planParams,
        querystring: z.object({ filename: z.string().min(1).max(200) }),
        response: { 201: planVersionSchema },
      },
    },
    async (request, reply) => {
      const { facility, plan } = request.params;
      await inScope(request, facility);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
        throw Validation(`body: the document, sent as one of ${DOCUMENT_TYPES.join(', ')}`);
      }
      const document = request.body;
      const mediaType = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
      const { filename } = request.query;
      const what = { action: 'plan.document.upload', facility, target: target(facility, plan), details: { filename } };
      const version = await change(ctx, request.principal, what, (tx) =>
        uploadPlanDocument(tx, facility, plan, { filename, mediaType, document, uploadedBy: request.principal.actor }),
      );
      return reply.status(201).send(version);
    },
  );

  app.get(
    '/plans/:facility/:plan/document',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['plans'],
        operationId: 'getPlanDocument',
        summary: "The plan's document (the newest version unless `version` is given)",
        description: 'The raw document with its media type; header `x-vigil-plan-version` names the version.',
        params: planParams,
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
        // Described as a (binary) string for OpenAPI; the handler sends the stored bytes, which Fastify never serializes.
        response: {
          200: z.string().meta({ format: 'binary' }).describe('the document as uploaded, in its media type'),
        },
      },
    },
    async (request, reply) => {
      const { facility, plan } = request.params;
      await inScope(request, facility);
      const doc = await readPlanDocument(ctx.db, facility, plan, request.query.version);
      return reply
        .type(doc.mediaType)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(doc.filename)}"`)
        .header('x-vigil-plan-version', String(doc.version))
        .send(doc.document as unknown as string);
    },
  );

  app.post(
    '/plans/:facility/:plan/filing',
    {
      // Two permissions share this route: the declared action is the one every role that may use it has; the status
      // decides the finer one below (`plans` to file or withdraw, `review-plans` to accept or return).
      config: { action: 'reports' },
      schema: {
        tags: ['plans'],
        operationId: 'setPlanFiling',
        summary:
          'Set the filing status: the facility files (or withdraws to draft), the regulator accepts or returns it',
        description:
          '`draft` and `filed`: safety officer, admin; `accepted` and `needs-revision`: regulator, admin (403 otherwise).',
        params: planParams,
        body: z.object({ status: filingStatusSchema, reviewDue: z.iso.date().optional() }),
        response: { 200: planSchema },
      },
    },
    async (request) => {
      const { facility, plan } = request.params;
      const p = request.principal;
      // Scope first: outside it the answer is 404 whatever the status, as for every route.
      await inScope(request, facility);
      allow(p, REGULATOR_STATUSES.has(request.body.status) ? 'review-plans' : 'plans');
      const what = {
        action: 'plan.filing',
        facility,
        target: target(facility, plan),
        details: { status: request.body.status },
      };
      return change(ctx, p, what, (tx) => setPlanFiling(tx, facility, plan, request.body));
    },
  );

  app.post(
    '/plans/:facility/:plan/drills',
    {
      config: { action: 'plans' },
      schema: {
        tags: ['plans'],
        operationId: 'schedulePlanDrill',
        summary: 'Schedule a drill of the plan',
        description: 'The drill is run later with `…/drills/{drill}/run`.',
        params: planParams,
        body: z.object({ scheduledFor: z.iso.datetime({ offset: true }) }),
        response: { 201: planDrillSchema },
      },
    },
    async (request, reply) => {
      const { facility, plan } = request.params;
      await inScope(request, facility);
      const scheduledFor = new Date(request.body.scheduledFor);
      const what = {
        action: 'plan.drill.schedule',
        facility,
        target: target(facility, plan),
        details: { scheduledFor: scheduledFor.toISOString() },
      };
      const drill = await change(ctx, request.principal, what, async (tx) => {
        await getPlan(tx, facility, plan);
        return scheduleDrill(tx, facility, plan, scheduledFor);
      });
      return reply.status(201).send(drill);
    },
  );

  app.post(
    '/plans/:facility/:plan/drills/:drill/run',
    {
      config: { action: 'plans' },
      schema: {
        tags: ['plans'],
        operationId: 'runPlanDrill',
        summary: 'Run a scheduled drill: raises a drill alert through the alerts service and records who took part',
        description: `Once per drill (then 409); the drill command is audited when handed to the alerts service.`,
        params: drillParams,
        body: z.object({
          participants: z.array(z.string().min(1).max(100)).max(200).default([]),
          findings: z.string().max(4000).optional(),
          rule: alertRuleSchema
            .optional()
            .describe("default: the plan's kind (fire → fire, power-loss → electrical, …)"),
          location: idSchema.optional(),
        }),
        response: { 200: planDrillSchema },
      },
    },
    async (request) => {
      const { facility, plan, drill } = request.params;
      const p = request.principal;
      await inScope(request, facility);
      allow(p, 'drill');
      const [detail, scheduled] = await Promise.all([
        getPlan(ctx.db, facility, plan),
        getPlanDrill(ctx.db, facility, plan, drill),
      ]);
      if (scheduled.ranAt) throw RegistryConflict(`drill ${drill} of plan ${plan} already ran at ${scheduled.ranAt}`);
      const { participants, findings, rule, location } = request.body;
      const started = await startDrill(ctx, p, facility, {
        rule: rule ?? DRILL_RULE[detail.kind],
        location,
        detail: `drill of plan ${plan}`,
      });
      const what = {
        action: 'plan.drill.run',
        facility,
        target: target(facility, plan),
        details: { drill, alert: started.alert.id, participants: participants.length },
      };
      return change(ctx, p, what, (tx) =>
        recordDrillRun(tx, facility, plan, drill, {
          commandId: started.commandId,
          alertId: started.alert.id,
          ranAt: new Date(started.alert.raisedAt),
          participants,
          findings: findings ?? null,
        }),
      );
    },
  );

  app.patch(
    '/plans/:facility/:plan/drills/:drill',
    {
      config: { action: 'plans' },
      schema: {
        tags: ['plans'],
        operationId: 'updatePlanDrill',
        summary: "Record a drill's participants and findings after the fact",
        description: 'Only the fields given change.',
        params: drillParams,
        body: z.object({
          participants: z.array(z.string().min(1).max(100)).max(200).optional(),
          findings: z.string().max(4000).optional(),
        }),
        response: { 200: planDrillSchema },
      },
    },
    async (request) => {
      const { facility, plan, drill } = request.params;
      await inScope(request, facility);
      // Details name the fields changed, not their values (findings are free text).
      const what = {
        action: 'plan.drill.update',
        facility,
        target: target(facility, plan),
        details: { drill, fields: Object.keys(request.body) },
      };
      return change(ctx, request.principal, what, (tx) => recordDrillFindings(tx, facility, plan, drill, request.body));
    },
  );
};
