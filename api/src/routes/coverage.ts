import { idSchema } from '@vigil/protocol';
import {
  coverageAudit,
  coveragePolicySchema,
  coverageReportSchema,
  listCoveragePolicyVersions,
  localeSchema,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { coverageCsv, coverageHtml } from '../coverage-render.js';
import type { RouteOptions } from '../http.js';
import { assertFacility } from '../scope.js';

const coverageQuerySchema = z.object({
  facility: idSchema,
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }).describe('capped at now'),
  locale: localeSchema.default('zh-CN').describe("the findings' language"),
  policyVersion: z.coerce.number().int().min(0).optional().describe("default: the facility's current version"),
});

/** Which form of the report the `Accept` header asks for; JSON unless CSV or HTML is named. */
function form(accept: string | undefined): 'csv' | 'html' | 'json' {
  if (accept?.includes('text/csv')) return 'csv';
  if (accept?.includes('text/html')) return 'html';
  return 'json';
}

/** The coverage audit (docs/ARCHITECTURE.md "Coverage audit"), pseudonymous for regulators. */
export const coverageRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/coverage',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['coverage'],
        operationId: 'getCoverageAudit',
        summary: 'Coverage audit of a facility over a period: JSON, or CSV (`Accept: text/csv`) or HTML (`text/html`)',
        description:
          'Scores how well the policy is met; regulators see residents by pseudonym, no form names residents or readings.',
        querystring: coverageQuerySchema,
        response: { 200: z.union([coverageReportSchema, z.string().describe('the CSV or HTML form')]) },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const q = request.query;
      await assertFacility(p, q.facility, ctx.directory);
      const report = await coverageAudit(ctx.db, {
        ...q,
        now: new Date(ctx.clock.now()),
        pseudonymous: p.role === 'regulator',
      });
      const wanted = form(request.headers.accept);
      if (wanted === 'csv') return reply.type('text/csv; charset=utf-8').send(coverageCsv(report));
      if (wanted === 'html') return reply.type('text/html; charset=utf-8').send(coverageHtml(report));
      return report;
    },
  );

  app.get(
    '/coverage/policies',
    {
      config: { action: 'reports' },
      schema: {
        tags: ['coverage'],
        operationId: 'listCoveragePolicyVersions',
        summary: "Every version of a facility's coverage policy (version 0, the default, is implied)",
        description: 'Oldest first; every write of the policy, by whichever route, is a new version.',
        querystring: z.object({ facility: idSchema }),
        response: {
          200: z.object({
            versions: z.array(
              z.object({
                version: z.number().int(),
                policy: coveragePolicySchema,
                createdAt: z.iso.datetime().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      await assertFacility(p, request.query.facility, ctx.directory);
      const versions = await listCoveragePolicyVersions(ctx.db, request.query.facility);
      return { versions: versions.map(({ version, policy, createdAt }) => ({ version, policy, createdAt })) };
    },
  );
};
