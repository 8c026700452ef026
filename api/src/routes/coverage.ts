import { idSchema } from '@vigil/protocol';
import {
  coverageAudit,
  coveragePolicySchema,
  coverageReportSchema,
  listCoveragePolicyVersions,
  localeSchema,
  regionCoverage,
  regionCoverageSchema,
  type Principal,
} from '@vigil/store';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { coverageCsv, coverageHtml, regionCoverageCsv } from '../coverage-render.js';
import { NotFound } from '../errors.js';
import type { RouteOptions } from '../http.js';
import { assertFacility } from '../scope.js';

const coverageQuerySchema = z
  .object({
    facility: idSchema.optional().describe('the facility audited; or region='),
    region: z.string().min(1).max(64).optional().describe('the region rolled up (regulators: their own; admins)'),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }).describe('capped at now'),
    locale: localeSchema.default('zh-CN').describe("the findings' language"),
    policyVersion: z.coerce.number().int().min(0).optional().describe("default: the facility's current version"),
  })
  .refine((q) => (q.facility === undefined) !== (q.region === undefined), 'exactly one of facility and region');

/** A region is in scope for the admin and for its own regulators; for anyone else it does not exist (404). */
function assertRegion(principal: Principal, region: string): void {
  if (principal.role === 'admin' || (principal.role === 'regulator' && principal.region === region)) return;
  throw NotFound(`region ${region} not found`);
}

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
        summary:
          'Coverage audit of a facility (`facility=`) or roll-up of a region (`region=`) over a period: JSON, or CSV (`Accept: text/csv`) or HTML (`text/html`, facility only)',
        description:
          'Scores how well the policy is met; regulators see residents by pseudonym, no form names residents or readings. The region roll-up gives each facility its score, policy version, required and missing devices and findings by code.',
        querystring: coverageQuerySchema,
        response: {
          200: z.union([coverageReportSchema, regionCoverageSchema, z.string().describe('the CSV or HTML form')]),
        },
      },
    },
    async (request, reply) => {
      const p = request.principal;
      const { region, facility, ...q } = request.query;
      const now = new Date(ctx.clock.now());
      const wanted = form(request.headers.accept);
      if (region !== undefined) {
        assertRegion(p, region);
        const rollUp = await regionCoverage(ctx.db, { region, from: new Date(q.from), to: new Date(q.to), now });
        if (rollUp.facilities.length === 0) throw NotFound(`region ${region} not found`);
        return wanted === 'csv' ? reply.type('text/csv; charset=utf-8').send(regionCoverageCsv(rollUp)) : rollUp;
      }
      await assertFacility(p, facility!, ctx.directory);
      const report = await coverageAudit(ctx.db, {
        ...q,
        facility: facility!,
        now,
        pseudonymous: p.role === 'regulator',
      });
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
        description:
          'Oldest first; every write of the policy, by whichever route, is a new version, and so is its deletion (`policy` null: the default applies from then on).',
        querystring: z.object({ facility: idSchema }),
        response: {
          200: z.object({
            versions: z.array(
              z.object({
                version: z.number().int(),
                policy: coveragePolicySchema.nullable().describe('null: the policy was deleted'),
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
