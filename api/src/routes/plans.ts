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
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Forbidden, Validation } from '../errors.js';
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

/** Statuses the facility sets (it files a plan) and those only the regulator gives (its answer). */
const REGULATOR_STATUSES = new Set(['accepted', 'needs-revision']);

const planParams = z.object({ facility: idSchema, plan: idSchema });
const drillParams = planParams.extend({ drill: z.coerce.number().int().positive() });
const planDetailSchema = z.object({
  plan: planSchema,
  versions: z.array(planVersionSchema),
  drills: z.array(planDrillSchema),
});

/** Emergency plans, their documents and filing status, and their drills (docs/api.md "Emergency plans and drills"). */
export const planRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.addContentTypeParser(DOCUMENT_TYPES, { parseAs: 'buffer', bodyLimit: DOCUMENT_LIMIT }, (_request, body, done) =>
    done(null, body),
  );
  const inScope = async (
    request: { principal: Parameters<typeof allow>[0] },
    facility: string,
    action: 'reports' | 'plans',
  ) => {
    allow(request.principal, action);
    await assertFacility(request.principal, facility, ctx.directory);
  };

  app.get(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        summary: "A facility's emergency plans",
        querystring: z.object({ facility: idSchema }),
        response: { 200: z.object({ plans: z.array(planSchema) }) },
      },
    },
    async (request) => {
      await inScope(request, request.query.facility, 'reports');
      return { plans: await listPlans(ctx.db, request.query.facility) };
    },
  );

  app.post(
    '/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Create an emergency plan (safety officer, admin); its document is uploaded separately',
        body: planInputSchema.extend({ facility: idSchema }),
        response: { 201: planSchema },
      },
    },
    async (request, reply) => {
      const { facility, ...input } = request.body;
      await inScope(request, facility, 'plans');
      return reply.status(201).send(await createPlan(ctx.db, facility, input));
    },
  );

  app.get(
    '/plans/:facility/:plan',
    {
      schema: {
        tags: ['plans'],
        summary: 'A plan with its document versions and drills',
        params: planParams,
        response: { 200: planDetailSchema },
      },
    },
    async (request) => {
      const { facility, plan } = request.params;
      await inScope(request, facility, 'reports');
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
      bodyLimit: DOCUMENT_LIMIT,
      schema: {
        tags: ['plans'],
        summary: `Upload a new version of the plan's document (raw body: ${DOCUMENT_TYPES.join(', ')}); back to draft`,
        params: planParams,
        querystring: z.object({ filename: z.string().min(1).max(200) }),
        response: { 201: planVersionSchema },
      },
    },
    async (request, reply) => {
      const { facility, plan } = request.params;
      await inScope(request, facility, 'plans');
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
        throw Validation(`body: the document, sent as one of ${DOCUMENT_TYPES.join(', ')}`);
      }
      const mediaType = (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim();
      const version = await uploadPlanDocument(ctx.db, facility, plan, {
        filename: request.query.filename,
        mediaType,
        document: request.body,
        uploadedBy: request.principal.actor,
      });
      return reply.status(201).send(version);
    },
  );

  app.get(
    '/plans/:facility/:plan/document',
    {
      schema: {
        tags: ['plans'],
        summary: "The plan's document (the newest version unless `version` is given)",
        params: planParams,
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
      },
    },
    async (request, reply) => {
      const { facility, plan } = request.params;
      await inScope(request, facility, 'reports');
      const doc = await readPlanDocument(ctx.db, facility, plan, request.query.version);
      return reply
        .type(doc.mediaType)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(doc.filename)}"`)
        .header('x-vigil-plan-version', String(doc.version))
        .send(doc.document);
    },
  );

  app.post(
    '/plans/:facility/:plan/filing',
    {
      schema: {
        tags: ['plans'],
        summary:
          'Set the filing status: the facility files (or withdraws to draft), the regulator accepts or returns it',
        params: planParams,
        body: z.object({ status: filingStatusSchema, reviewDue: z.iso.date().optional() }),
        response: { 200: planSchema },
      },
    },
    async (request) => {
      const { facility, plan } = request.params;
      const p = request.principal;
      const regulatorAnswer = REGULATOR_STATUSES.has(request.body.status);
      allow(p, regulatorAnswer ? 'review-plans' : 'plans');
      if (regulatorAnswer && p.role !== 'regulator' && p.role !== 'admin') {
        throw Forbidden(`only the regulator sets a plan ${request.body.status}`);
      }
      await assertFacility(p, facility, ctx.directory);
      return setPlanFiling(ctx.db, facility, plan, request.body);
    },
  );

  app.post(
    '/plans/:facility/:plan/drills',
    {
      schema: {
        tags: ['plans'],
        summary: 'Schedule a drill of the plan',
        params: planParams,
        body: z.object({ scheduledFor: z.iso.datetime({ offset: true }) }),
        response: { 201: planDrillSchema },
      },
    },
    async (request, reply) => {
      const { facility, plan } = request.params;
      await inScope(request, facility, 'plans');
      await getPlan(ctx.db, facility, plan);
      return reply.status(201).send(await scheduleDrill(ctx.db, facility, plan, new Date(request.body.scheduledFor)));
    },
  );

  app.post(
    '/plans/:facility/:plan/drills/:drill/run',
    {
      schema: {
        tags: ['plans'],
        summary: 'Run a scheduled drill: raises a drill alert through the alerts service and records who took part',
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
      allow(p, 'drill');
      await inScope(request, facility, 'plans');
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
      return recordDrillRun(ctx.db, facility, plan, drill, {
        commandId: started.commandId,
        alertId: started.alert.id,
        ranAt: new Date(started.alert.raisedAt),
        participants,
        findings: findings ?? null,
      });
    },
  );

  app.patch(
    '/plans/:facility/:plan/drills/:drill',
    {
      schema: {
        tags: ['plans'],
        summary: "Record a drill's participants and findings after the fact",
        params: drillParams,
        body: z.object({
          participants: z.array(z.string().min(1).max(100)).max(200).optional(),
          findings: z.string().max(4000).optional(),
        }),
        response: { 200: planDrillSchema },
      },
    },
    async (request) => {
      const { facility, drill } = request.params;
      await inScope(request, facility, 'plans');
      return recordDrillFindings(ctx.db, facility, request.params.plan, drill, request.body);
    },
  );
};
